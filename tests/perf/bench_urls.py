"""The app's addresses and, for ``make bench`` only, a trivial write: the least a write can cost
on this stack, so that the report can tell what a vote costs beyond any write."""

import functools

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from vivreensemble.urls import urlpatterns as app_urlpatterns
from workshops.models import Attendance, Submission


@require_POST
def trivial_write(request: HttpRequest) -> HttpResponse:
    """One row (an idempotency key, as a vote writes) committed on its own, in one round trip
    (autocommit), behind the same CSRF check as a vote: the floor of any write."""
    Submission.objects.create(key=request.POST.get("key", "")[:64], attendance_id=_an_attendance())
    return HttpResponse("ok", content_type="text/plain")


@functools.cache
def _an_attendance() -> int:
    """Any place of the seeded data, read once per process."""
    return Attendance.objects.values_list("pk", flat=True).first()


urlpatterns = [path("bench/ecriture/", trivial_write), *app_urlpatterns]
