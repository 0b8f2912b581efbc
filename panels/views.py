"""Panels: participants, bulk import, representativeness, the mixed panel, printed documents."""

import json
import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from panels.charts import representativeness_svg
from panels.forms import ImportForm, ParticipantForm, TargetsForm
from panels.models import Panel, Participant
from panels.pdf import pdf_response
from panels.rgpd import participant_erase, participant_export, participant_withdraw
from panels.services import (
    COLUMN_ALIASES,
    invitations_send,
    mixed_balance,
    mixed_panel_proposal,
    mixed_panel_set,
    panel_targets_set,
    parse_participants,
    participant_added,
    participant_mixed_toggle,
    participants_import,
    recruitment_refusal,
    representativeness,
)
from workshops.models import PanelKind, Workshop
from workshops.permissions import (
    led_panel_or_404,
    led_participant_or_404,
    led_workshop_or_404,
    visible_concertation_or_404,
)


def _reports(panel: Panel, people, targets) -> list[dict]:
    return [
        {"report": report,
         "svg": representativeness_svg(report, chart_id=f"chart-{panel.pk}-{report.criterion}")}
        for report in representativeness(panel=panel, participants=people, targets=targets)
    ]


@login_required
def panel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The panel, its people and its composition against the target."""
    panel = led_panel_or_404(request.user, pk)
    people = list(Participant.objects.in_panel(panel).select_related("home_panel"))
    targets = list(panel.targets.all())
    panels = list(panel.concertation.panels.all())
    workshop = Workshop.objects.filter(panel=panel).first()
    return render(request, "panels/panel_detail.html", {
        "panel": panel, "concertation": panel.concertation, "people": people, "panels": panels,
        "workshop": workshop, "reports": _reports(panel, people, targets),
        "has_targets": bool(targets),
    })


@login_required
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    panel = led_panel_or_404(request.user, pk)
    if panel.kind == PanelKind.MIXED:
        return redirect("panels:mixed", panel.concertation_id)
    if refusal := recruitment_refusal(concertation=panel.concertation):
        messages.error(request, refusal)
        return redirect("panels:detail", panel.pk)
    form = ParticipantForm(request.POST or None, panel=panel, instance=Participant(home_panel=panel))
    if request.method == "POST" and form.is_valid():
        participant = form.save()
        participant_added(participant=participant)
        messages.success(request, _("%(name)s a été ajouté·e au panel.") % {"name": participant.display_name})
        if "another" in request.POST:
            return redirect("panels:participant_add", panel.pk)
        return redirect("panels:detail", panel.pk)
    return render(request, "panels/participant_form.html", {
        "form": form, "panel": panel, "concertation": panel.concertation,
    })


@login_required
def participant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    participant = led_participant_or_404(request.user, pk)
    panel = participant.home_panel
    form = ParticipantForm(request.POST or None, panel=panel, instance=participant)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Les informations de %(name)s sont enregistrées.")
                         % {"name": participant.display_name})
        return redirect("panels:detail", panel.pk)
    return render(request, "panels/participant_form.html", {
        "form": form, "panel": panel, "concertation": panel.concertation, "participant": participant,
    })


@login_required
def participant_delete(request: HttpRequest, pk: int) -> HttpResponse:
    participant = led_participant_or_404(request.user, pk)
    panel = participant.home_panel
    if request.method == "POST":
        name = participant.display_name
        if participant_withdraw(participant=participant, by=request.user):
            messages.success(request, _("%(name)s a été retiré·e du panel.") % {"name": name})
        else:
            messages.success(request, _(
                "La personne a été retirée du panel : ses données personnelles sont effacées ; ce "
                "qu'elle a apporté aux ateliers reste compté, sans son nom."
            ))
        return redirect("panels:detail", panel.pk)
    return render(request, "panels/participant_delete.html", {
        "participant": participant, "panel": panel, "concertation": panel.concertation,
        "attended": participant.attendances.exists(),
    })


@login_required
def panel_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Check first, show every problem by line, save only a clean import, all at once."""
    panel = led_panel_or_404(request.user, pk)
    if panel.kind == PanelKind.MIXED:
        return redirect("panels:mixed", panel.concertation_id)
    if refusal := recruitment_refusal(concertation=panel.concertation):
        messages.error(request, refusal)
        return redirect("panels:detail", panel.pk)
    preview = None
    form = ImportForm()
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            text = form.cleaned_data["text"]
            preview = parse_participants(
                text, panel_kind=panel.kind,
                existing_names=panel.participants.values_list("display_name", flat=True),
            )
            if request.POST.get("action") == "confirm" and preview.is_valid:
                created = participants_import(panel=panel, preview=preview)
                messages.success(request, ngettext(
                    "%(count)d participant·e importé·e.", "%(count)d participant·es importé·es.", len(created)
                ) % {"count": len(created)})
                return redirect("panels:detail", panel.pk)
            form = ImportForm(initial={"rows": text})
    form_fields = ParticipantForm(panel=panel).fields
    columns = [
        (form_fields[name].label, aliases[0])
        for name, aliases in COLUMN_ALIASES.items()
        if name in form_fields
    ]
    return render(request, "panels/panel_import.html", {
        "panel": panel, "concertation": panel.concertation, "form": form, "preview": preview,
        "columns": columns,
        "column_labels": [form_fields[name].label for name in preview.columns] if preview else [],
    })


@login_required
def panel_targets(request: HttpRequest, pk: int) -> HttpResponse:
    panel = led_panel_or_404(request.user, pk)
    form = TargetsForm(request.POST or None, panel=panel, targets=list(panel.targets.all()))
    if request.method == "POST" and form.is_valid():
        panel_targets_set(panel=panel, target_size=form.cleaned_data["target_size"], percents=form.percents())
        messages.success(request, _("Les cibles du panel sont enregistrées."))
        return redirect("panels:detail", panel.pk)
    return render(request, "panels/panel_targets.html", {
        "panel": panel, "concertation": panel.concertation, "form": form,
    })


def _mixed_context(concertation) -> dict:
    panels = {p.kind: p for p in concertation.panels.prefetch_related("targets")}
    people = list(
        Participant.objects.filter(home_panel__concertation=concertation)
        .exclude(home_panel__kind=PanelKind.MIXED)
        .select_related("home_panel")
    )
    home_sizes = {kind: sum(1 for p in people if p.home_panel.kind == kind) for kind in PanelKind.values}
    mixed_panel = panels.get(PanelKind.MIXED)
    chosen = [p for p in people if p.in_mixed_panel]
    volunteers = {
        kind: [p for p in people if p.home_panel.kind == kind and p.mixed_volunteer]
        for kind in (PanelKind.AGENTS, PanelKind.USERS)
    }
    return {
        "concertation": concertation, "mixed_panel": mixed_panel, "chosen": chosen,
        "volunteer_groups": [
            (kind.label, volunteers[kind], home_sizes[kind], math.ceil(home_sizes[kind] / 2),
             sum(1 for p in chosen if p.home_panel.kind == kind))
            for kind in (PanelKind.AGENTS, PanelKind.USERS)
        ],
        "balance": mixed_balance(
            people=chosen, agents_panel=home_sizes[PanelKind.AGENTS], users_panel=home_sizes[PanelKind.USERS]
        ),
        "reports": _reports(mixed_panel, chosen, mixed_panel.targets.all()) if mixed_panel else [],
    }


@login_required
def mixed_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose half of each panel among volunteers; the facilitator adjusts one by one."""
    concertation = visible_concertation_or_404(request.user, pk, lead=True)
    if request.method == "POST":
        proposal = mixed_panel_proposal(concertation=concertation)
        count = mixed_panel_set(concertation=concertation, participant_ids=[p.pk for p in proposal])
        messages.success(request, ngettext(
            "%(count)d volontaire proposé·e pour le panel mixte : ajustez si besoin.",
            "%(count)d volontaires proposé·es pour le panel mixte : ajustez si besoin.", count,
        ) % {"count": count})
        return redirect("panels:mixed", concertation.pk)
    return render(request, "panels/mixed_panel.html", _mixed_context(concertation))


@login_required
def mixed_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    participant = led_participant_or_404(request.user, pk)
    concertation = participant.home_panel.concertation
    if request.method != "POST":
        return redirect("panels:mixed", concertation.pk)
    error = ""
    try:
        participant_mixed_toggle(participant=participant, selected=request.POST.get("selected") == "1")
    except ValidationError as invalid:
        error = " ".join(invalid.messages)
    if request.htmx:
        context = _mixed_context(concertation) | {"toggle_error": error}
        return render(request, "panels/mixed_panel.html#composition", context)
    if error:
        messages.error(request, error)
    return redirect("panels:mixed", concertation.pk)


def _workshop_people(workshop: Workshop) -> list[Participant]:
    return list(Participant.objects.in_panel(workshop.panel).select_related("home_panel"))


@login_required
def workshop_letters(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = led_workshop_or_404(request.user, pk)
    people = _workshop_people(workshop)
    return pdf_response(request, "panels/print/invitations.html", {
        "workshop": workshop, "people": people, "team": list(workshop.concertation.facilitators.all()),
    }, filename=f"invitations-atelier-{workshop.order}.pdf")


@login_required
def participant_letter(request: HttpRequest, pk: int) -> HttpResponse:
    participant = led_participant_or_404(request.user, pk)
    workshop = Workshop.objects.select_related("concertation", "panel").get(panel=participant.home_panel)
    return pdf_response(request, "panels/print/invitations.html", {
        "workshop": workshop, "people": [participant],
        "team": list(workshop.concertation.facilitators.all()),
    }, filename=f"invitation-{participant.pk}.pdf")


@login_required
def signin_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = led_workshop_or_404(request.user, pk)
    people = _workshop_people(workshop)
    return pdf_response(request, "panels/print/signin_sheet.html", {
        "workshop": workshop, "people": people, "blank_rows": range(max(3, 10 - len(people))),
    }, filename=f"emargement-atelier-{workshop.order}.pdf")


@login_required
def send_invitations(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = led_workshop_or_404(request.user, pk)
    if request.method != "POST":
        return redirect("panels:detail", workshop.panel_id)
    organiser = request.user.get_full_name() or request.user.get_username()
    try:
        result = invitations_send(workshop=workshop, people=_workshop_people(workshop), organiser=organiser)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("panels:detail", workshop.panel_id)
    except (OSError, IntegrityError):
        messages.error(request, _("L'envoi des courriels a échoué : réessayez plus tard ; rien n'a été "
                                  "marqué comme envoyé."))
        return redirect("panels:detail", workshop.panel_id)
    messages.success(request, ngettext(
        "%(count)d invitation envoyée par courriel.", "%(count)d invitations envoyées par courriel.",
        len(result.sent)) % {"count": len(result.sent)})
    if result.skipped:
        messages.warning(request, _("Sans courriel ou sans accord pour être contacté·es, à inviter autrement "
                                    "(lettre imprimée) : %(names)s.")
                         % {"names": ", ".join(p.display_name for p in result.skipped)})
    return redirect("panels:detail", workshop.panel_id)


@login_required
def participant_data(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything held about one person, readable, to answer a request for access (RGPD art. 15)."""
    participant = led_participant_or_404(request.user, pk)
    return render(request, "panels/participant_data.html", {
        "participant": participant, "panel": participant.home_panel,
        "concertation": participant.home_panel.concertation, "data": participant_export(participant),
    })


@login_required
def participant_data_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The same data as a JSON file, to hand over to the person (portability, RGPD art. 20)."""
    participant = led_participant_or_404(request.user, pk)
    body = json.dumps(participant_export(participant), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="donnees-participant-{participant.pk}.json"'
    return response


@login_required
def participant_erase_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Erase identity and attributes, after confirmation; contributions and votes stay, unnamed."""
    participant = led_participant_or_404(request.user, pk)
    if request.method == "POST" and not participant.is_erased:
        participant_erase(participant=participant, by=request.user)
        messages.success(request, _("Les données personnelles ont été effacées. Ses contributions et ses "
                                    "votes restent comptés, sans son nom."))
        return redirect("panels:participant_data", participant.pk)
    return render(request, "panels/participant_erase.html", {
        "participant": participant, "panel": participant.home_panel,
        "concertation": participant.home_panel.concertation,
    })
