from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from panels.models import Participant
from workshops.calendar import calendar_bytes, feed_token, feed_user, workshop_ics
from workshops.calendar import calendar_feed_renew as renew_feed
from workshops.forms import ConcertationForm, ManagersForm, ScheduleForm, SequenceForm
from workshops.models import Concertation, PanelKind, Sequence, Workshop
from workshops.permissions import (
    can_create_concertation,
    can_lead_concertation,
    led_workshop_or_404,
    visible_concertation_or_404,
    visible_workshop_or_404,
)
from workshops.preparation import (
    Closing,
    FollowUp,
    closed_step,
    next_steps,
    people_with_personal_data,
    workshops_over,
)
from workshops.scheduling import Issue, ScheduleError, Slot, run_of_show_issue, schedule_issues, schedule_save
from workshops.services import concertation_close, concertation_reopen


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy notice, public: what is stored about participants, why, for how long, whom to ask."""
    return render(request, "workshops/privacy.html", {
        "retention_days": settings.PERSONAL_DATA_RETENTION_DAYS, "dpo_contact": settings.DPO_CONTACT,
    })


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The facilitator's home: every concertation they may see, with where it stands, its next
    workshop and its overdue roadmap actions."""
    concertations = (
        Concertation.objects.visible_to(request.user)
        .select_related("site")
        .annotate(
            participants_count=Count("panels__participants", distinct=True),
            workshops_done=Count(
                "workshops", filter=Q(workshops__status=Workshop.Status.DONE), distinct=True
            ),
        )
        .with_outlook()
        .prefetch_related("services")
    )
    return render(request, "workshops/home.html", {
        "concertations": concertations, "can_create": can_create_concertation(request.user),
    })


@login_required
def concertation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the concertation stands in the method at a glance, and what to do next."""
    concertation = visible_concertation_or_404(request.user, pk)
    can_lead = can_lead_concertation(request.user, concertation)
    panels = list(concertation.panels.annotate(people_count=Count("participants")))
    mixed_count = Participant.objects.filter(
        home_panel__concertation=concertation, in_mixed_panel=True
    ).count()
    for panel in panels:
        if panel.kind == PanelKind.MIXED:
            panel.people_count = mixed_count
    panel_counts = {panel.pk: panel.people_count for panel in panels}
    workshops = list(
        concertation.workshops.select_related("panel")
        .annotate(planned_total=Sum("sequences__planned_minutes"))
        .prefetch_related("sequences")
    )
    for workshop in workshops:
        workshop.participants_count = panel_counts.get(workshop.panel_id, 0)
    statuses = list(Concertation.Status)
    current = statuses.index(concertation.status)
    follow_up = FollowUp.of(concertation) if can_lead and workshops_over(workshops) else None
    return render(request, "workshops/concertation_detail.html", {
        "concertation": concertation,
        "workshops": workshops,
        "panels": panels,
        "services": concertation.services.all(),
        "can_lead": can_lead,
        "stages": [(status, index < current, index == current) for index, status in enumerate(statuses)],
        "steps": next_steps(concertation=concertation, panels=panels, workshops=workshops,
                            mixed_count=mixed_count, follow_up=follow_up) if can_lead else [],
        "closed": concertation.status == Concertation.Status.CLOSED,
        "following_up": follow_up is not None and bool(follow_up.roadmaps),
        "scheduled": sum(1 for w in workshops if w.starts_at),
        "done": sum(1 for w in workshops if w.status == Workshop.Status.DONE),
    })


@login_required
def concertation_create(request: HttpRequest) -> HttpResponse:
    if not can_create_concertation(request.user):
        raise Http404
    form = ConcertationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        concertation = form.save()
        messages.success(request, _("La démarche est créée, avec ses trois panels et ses ateliers. "
                                    "Commencez par recruter le panel agents."))
        return redirect("workshops:concertation", concertation.pk)
    return render(request, "workshops/concertation_form.html", {"form": form})


@login_required
def concertation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    concertation = visible_concertation_or_404(request.user, pk, lead=True)
    form = ConcertationForm(request.POST or None, instance=concertation, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("La démarche est enregistrée."))
        return redirect("workshops:concertation", concertation.pk)
    return render(request, "workshops/concertation_form.html", {"form": form, "concertation": concertation})


@login_required
def concertation_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    """What closing means (when personal data will be erased) and what is still unfinished,
    then the close itself."""
    concertation = visible_concertation_or_404(request.user, pk, lead=True)
    if concertation.status == Concertation.Status.CLOSED and concertation.closed_at is not None:
        return redirect("workshops:concertation", concertation.pk)
    if request.method == "POST":
        try:
            concertation = concertation_close(concertation=concertation, by=request.user)
        except ValidationError as refusal:
            messages.error(request, refusal.messages[0])
            return redirect("workshops:concertation_close", concertation.pk)
        step = closed_step(concertation=concertation, people=people_with_personal_data(concertation))
        messages.success(request, step.text)
        return redirect("workshops:concertation", concertation.pk)
    return render(request, "workshops/concertation_close.html", {
        "concertation": concertation, "closing": Closing.of(concertation),
        "retention_days": settings.PERSONAL_DATA_RETENTION_DAYS,
    })


@login_required
@require_POST
def concertation_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen a closed concertation (a roadmap to follow again, a workshop to hold after all)."""
    concertation = visible_concertation_or_404(request.user, pk, lead=True)
    if concertation.status == Concertation.Status.CLOSED:
        concertation = concertation_reopen(concertation=concertation, by=request.user)
        reopened = (
            _("La démarche est rouverte, à l'étape « %(stage)s » : ses données personnelles ne seront "
              "effacées qu'après une nouvelle clôture.")
            if people_with_personal_data(concertation)
            else _("La démarche est rouverte, à l'étape « %(stage)s ».")
        )
        messages.success(request, reopened % {"stage": concertation.get_status_display()})
    return redirect("workshops:concertation", concertation.pk)


@login_required
def concertation_managers(request: HttpRequest, pk: int) -> HttpResponse:
    """Who manages each service: they will see the concertation and update their roadmap."""
    concertation = visible_concertation_or_404(request.user, pk, lead=True)
    services = concertation.services.prefetch_related("managers")
    form = ManagersForm(request.POST or None, services=services)
    if request.method == "POST" and form.is_valid():
        for service, managers in form.assignments():
            service.managers.set(managers)
        messages.success(request, _("Les responsables de service sont enregistrés."))
        return redirect("workshops:concertation", concertation.pk)
    return render(request, "workshops/concertation_managers.html", {
        "form": form, "concertation": concertation,
    })


def _workshops_for_schedule(concertation: Concertation) -> list[Workshop]:
    return list(
        concertation.workshops.select_related("panel", "concertation").annotate(
            planned_total=Sum("sequences__planned_minutes")
        )
    )


@login_required
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Errors (order of the method) block and nothing is saved; warnings are explained."""
    concertation = visible_concertation_or_404(request.user, pk, lead=True)
    workshops = _workshops_for_schedule(concertation)
    form = ScheduleForm(request.POST or None, workshops=workshops)
    issues = []
    if request.method == "POST" and form.is_valid():
        slots = form.slots()
        issues = schedule_issues(slots)
        if not any(issue.level == "error" for issue in issues):
            try:
                schedule_save(slots=[s for s in slots if s.workshop.status == Workshop.Status.PLANNED])
            except ScheduleError:
                issues.append(_schedule_refused())
            else:
                messages.success(request, _("Les dates des ateliers sont enregistrées."))
                return redirect("workshops:schedule", concertation.pk)
    elif request.method != "POST":
        issues = schedule_issues([
            Slot(workshop=w, starts_at=w.starts_at, duration_minutes=w.duration_minutes, place=w.place)
            for w in workshops
        ])
    for workshop in workshops:
        issue = run_of_show_issue(workshop=workshop, total_minutes=workshop.planned_total or 0)
        if issue:
            issues.append(issue)
    return render(request, "workshops/schedule.html", {
        "concertation": concertation, "form": form,
        "errors": [i for i in issues if i.level == "error"],
        "warnings": [i for i in issues if i.level == "warning"],
    })


def _schedule_refused() -> Issue:
    return Issue("error", _("La base de données a refusé ces dates : les ateliers doivent se suivre dans "
                            "l'ordre de la méthode. Rien n'a été modifié ; vérifiez les dates."))


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """Every upcoming workshop of every concertation the user may see, by date."""
    workshops = (
        Workshop.objects.filter(concertation__in=Concertation.objects.visible_to(request.user))
        .upcoming()
        .select_related("concertation", "panel")
    )
    return render(request, "workshops/calendar.html", {
        "workshops": workshops,
        "feed_url": request.build_absolute_uri(
            reverse("workshops:calendar_feed", args=[feed_token(request.user)])
        ),
    })


@login_required
@require_POST
def calendar_feed_renew(request: HttpRequest) -> HttpResponse:
    """Cut off a leaked subscription address: the old one answers 404 from now on."""
    renew_feed(user=request.user)
    messages.success(request, _("Nouvelle adresse d'abonnement créée. L'ancienne ne fonctionne plus : "
                                "remplacez-la dans vos applications d'agenda."))
    return redirect("workshops:calendar")


@login_required
def workshop_calendar_file(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = visible_workshop_or_404(request.user, pk)
    if workshop.starts_at is None:
        messages.error(request, _("Cet atelier n'a pas encore de date."))
        return redirect("workshops:concertation", workshop.concertation_id)
    url = request.build_absolute_uri(reverse("workshops:concertation", args=[workshop.concertation_id]))
    response = HttpResponse(workshop_ics(workshop, url=url), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="atelier-{workshop.pk}.ics"'
    return response


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No login (calendar applications cannot log in): the signed token is the credential."""
    user = feed_user(token)
    if user is None:
        raise Http404
    since = timezone.now() - timezone.timedelta(days=60)
    workshops = (
        Workshop.objects.filter(concertation__in=Concertation.objects.led_by(user), starts_at__gte=since)
        .select_related("concertation")
        .order_by("starts_at")
    )
    body = calendar_bytes(workshops, name=_("Mes ateliers — Vivre ensemble"))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


def _run_of_show_context(workshop: Workshop, *, editing: int | None = None, form=None) -> dict:
    sequences = list(workshop.sequences.all())
    total = sum(s.planned_minutes for s in sequences)
    moment = timezone.localtime(workshop.starts_at) if workshop.starts_at else None
    rows = []
    for sequence in sequences:
        rows.append((sequence, moment))
        if moment:
            moment = moment + timezone.timedelta(minutes=sequence.planned_minutes)
    return {
        "workshop": workshop, "rows": rows, "total": total, "editing": editing, "edit_form": form,
        "issue": run_of_show_issue(workshop=workshop, total_minutes=total),
    }


@login_required
def run_of_show(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = led_workshop_or_404(request.user, pk)
    return render(request, "workshops/run_of_show.html", _run_of_show_context(workshop))


@login_required
def sequence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Inline (htmx) or full-page edit of one step; a step already opened is history."""
    sequence = get_object_or_404(Sequence.objects.select_related("workshop"), pk=pk)
    workshop = led_workshop_or_404(request.user, sequence.workshop_id)
    if sequence.status != Sequence.Status.PENDING:
        messages.error(request, _("Cette séquence a déjà été ouverte : son déroulé ne se modifie plus."))
        return redirect("workshops:run_of_show", workshop.pk)
    form = SequenceForm(request.POST or None, instance=sequence)
    if request.method == "POST" and form.is_valid():
        form.save()
        if request.htmx:
            return render(request, "workshops/run_of_show.html#sequences", _run_of_show_context(workshop))
        messages.success(request, _("La séquence est enregistrée."))
        return redirect("workshops:run_of_show", workshop.pk)
    context = _run_of_show_context(workshop, editing=sequence.pk, form=form)
    if request.htmx:
        return render(request, "workshops/run_of_show.html#sequences", context)
    return render(request, "workshops/run_of_show.html", context)
