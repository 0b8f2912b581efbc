from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from workshops.models import Concertation, Workshop
from workshops.permissions import can_lead_concertation, visible_concertation_or_404


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The facilitator's home: every concertation they may see, with where it stands."""
    concertations = (
        Concertation.objects.visible_to(request.user)
        .select_related("site")
        .annotate(
            participants_count=Count("panels__participants", distinct=True),
            workshops_done=Count(
                "workshops", filter=Q(workshops__status=Workshop.Status.DONE), distinct=True
            ),
        )
        .prefetch_related("services")
    )
    return render(request, "workshops/home.html", {"concertations": concertations})


@login_required
def concertation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    concertation = visible_concertation_or_404(request.user, pk)
    workshops = (
        concertation.workshops.select_related("panel")
        .annotate(participants_count=Count("panel__participants", distinct=True))
        .prefetch_related("sequences")
    )
    return render(
        request,
        "workshops/concertation_detail.html",
        {
            "concertation": concertation,
            "workshops": workshops,
            "services": concertation.services.all(),
            "can_lead": can_lead_concertation(request.user, concertation),
        },
    )
