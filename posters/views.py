"""Poster editor and validation, roadmaps, exports, the manager's dashboard and the public
follow-up page. Thin views: rules live in posters/services.py, access in workshops/permissions.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from posters import services, spreadsheets
from posters.forms import (
    ActionForm,
    ComposeForm,
    LogoForm,
    NoteForm,
    SealForm,
    SteeringForm,
    editor_forms,
)
from posters.models import AuditEntry, Commitment, PosterVersion, ProgressNote, Roadmap, RoadmapAction
from posters.queries import report_data
from posters.rendering import PARTIES, document_pdf, fitted_content
from workshops.models import Concertation
from workshops.permissions import (
    can_lead_concertation,
    can_update_roadmap,
    can_view_concertation,
    visible_concertation_or_404,
)

PAPERS = {"a4": "A4", "a3": "A3"}


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _attachment(content: bytes, *, content_type: str, filename: str, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _versions(concertation: Concertation, *, with_drafts: bool):
    versions = (
        PosterVersion.objects.filter(poster__concertation=concertation)
        .select_related("validated_by")
        .annotate(
            tablet_yes=Count("validations", filter=Q(validations__approves=True)),
            tablet_no=Count("validations", filter=Q(validations__approves=False)),
        )
        .order_by("-number")
    )
    return versions if with_drafts else versions.filter(status=PosterVersion.Status.VALIDATED)


# --- The poster --------------------------------------------------------------------------

AUDIT_SHOWN = 100


def _poster_audit(concertation: Concertation) -> list[AuditEntry]:
    """The latest changes to the poster, read-only, for the team."""
    return list(AuditEntry.objects.filter(concertation=concertation, roadmap__isnull=True)[:AUDIT_SHOWN])



@login_required
def poster_overview(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the poster stands: the validated version to download, the draft, the history."""
    concertation = visible_concertation_or_404(request.user, pk)
    can_lead = can_lead_concertation(request.user, concertation)
    versions = list(_versions(concertation, with_drafts=can_lead))
    validated = next((v for v in versions if v.is_frozen), None)
    draft = next((v for v in versions if not v.is_frozen), None)
    return render(
        request,
        "posters/overview.html",
        {
            "concertation": concertation,
            "can_lead": can_lead,
            "versions": versions,
            "validated": validated,
            "draft": draft,
            "compose_form": ComposeForm(),
            "seal_form": SealForm(),
            "audit_entries": _poster_audit(concertation) if can_lead else [],
        },
    )


@login_required
@require_POST
def poster_compose(request: HttpRequest, pk: int) -> HttpResponse:
    concertation = visible_concertation_or_404(request.user, pk, lead=True)
    form = ComposeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez des nombres entre 1 et 20 qualités, 1 et 40 propositions."))
        return redirect("posters:overview", pk=concertation.pk)
    try:
        services.poster_compose(concertation=concertation, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("posters:overview", pk=concertation.pk)
    messages.success(request, _("Le brouillon reprend les résultats de l'atelier mixte."))
    return redirect("posters:edit", pk=concertation.pk)


@login_required
@require_POST
def poster_new_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Editing a validated poster starts a new draft version; the validated one stays."""
    concertation = visible_concertation_or_404(request.user, pk, lead=True)
    services.poster_draft(concertation=concertation, by=request.user)
    return redirect("posters:edit", pk=concertation.pk)


def _draft_or_none(concertation: Concertation) -> PosterVersion | None:
    return PosterVersion.objects.filter(
        poster__concertation=concertation, status=PosterVersion.Status.DRAFT
    ).first()


def _sources(version: PosterVersion) -> dict[int, Commitment]:
    commitments = version.commitments.select_related("source_item").prefetch_related("source_proposals")
    return {commitment.pk: commitment for commitment in commitments}


def _posted_content(version: PosterVersion, header, qualities, commitments) -> dict:
    """The content the editor currently shows, rows sorted by their order, without saving."""
    def kept(formset) -> list:
        items = [form.item() for form in formset if form.cleaned_data]
        return sorted((i for i in items if i.text.strip() and not i.delete), key=lambda i: i.order)

    return services.build_content(
        header.header(),
        [item.text.strip() for item in kept(qualities)],
        [(item.party, item.text.strip()) for item in kept(commitments)],
        logo_sha256="logo" if version.logo else "",
    )


def _preview_context(version: PosterVersion, content: dict, *, title_level: int = 3) -> dict:
    return services.sheet_context(version, content, logo_src=services.logo_data_uri(version)) | {
        "poster": fitted_content(content),
        "title_level": title_level,
    }


def _editor_context(concertation, version, header, qualities, commitments, logo_form) -> dict:
    sources = _sources(version)
    return {
        "concertation": concertation,
        "version": version,
        "header_form": header,
        "quality_formset": qualities,
        "commitment_formset": commitments,
        "commitment_rows": [
            (form, sources.get(form.initial.get("id"))) for form in commitments
        ],
        "logo_form": logo_form,
        **_preview_context(version, services.poster_content(version)),
    }


@login_required
@require_http_methods(["GET", "POST"])
def poster_edit(request: HttpRequest, pk: int) -> HttpResponse:
    concertation = visible_concertation_or_404(request.user, pk, lead=True)
    version = _draft_or_none(concertation)
    if version is None:
        messages.info(request, _("Créez d'abord un brouillon d'affiche."))
        return redirect("posters:overview", pk=concertation.pk)
    header, qualities, commitments = editor_forms(version, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if header.is_valid() and qualities.is_valid() and commitments.is_valid():
            try:
                services.poster_edit(
                    version=version,
                    header=header.header(),
                    qualities=[form.item() for form in qualities if form.cleaned_data],
                    commitments=[form.item() for form in commitments if form.cleaned_data],
                    by=request.user,
                )
            except ValidationError as error:
                messages.error(request, _error_text(error))
                return redirect("posters:overview", pk=concertation.pk)
            messages.success(request, _("Brouillon enregistré."))
            return redirect("posters:edit", pk=concertation.pk)
        status = 400
        messages.error(request, _("Le brouillon n'est pas enregistré : corrigez les champs signalés."))
    return render(
        request,
        "posters/edit.html",
        _editor_context(concertation, version, header, qualities, commitments, LogoForm()),
        status=status,
    )


@login_required
@require_POST
def poster_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The live preview (htmx): the same sheet as the PDF, from the unsaved editor."""
    concertation = visible_concertation_or_404(request.user, pk, lead=True)
    version = _draft_or_none(concertation)
    if version is None:
        raise Http404
    header, qualities, commitments = editor_forms(version, request.POST)
    if header.is_valid() and qualities.is_valid() and commitments.is_valid():
        content = _posted_content(version, header, qualities, commitments)
        context = {"preview_error": False} | _preview_context(version, content)
    else:
        context = {"preview_error": True} | _preview_context(version, services.poster_content(version))
    return render(request, "posters/edit.html#preview", context)


@login_required
@require_POST
def poster_logo(request: HttpRequest, pk: int) -> HttpResponse:
    concertation = visible_concertation_or_404(request.user, pk, lead=True)
    version = _draft_or_none(concertation)
    if version is None:
        raise Http404
    form = LogoForm(request.POST, request.FILES)
    if form.is_valid():
        services.poster_logo_set(version=version, logo=form.cleaned_data["logo"], by=request.user)
        messages.success(request, _("Logo enregistré."))
        return redirect("posters:edit", pk=concertation.pk)
    header, qualities, commitments = editor_forms(version)
    messages.error(request, _("Le logo n'est pas enregistré : corrigez le champ signalé."))
    return render(
        request,
        "posters/edit.html",
        _editor_context(concertation, version, header, qualities, commitments, form),
        status=400,
    )


@login_required
@require_POST
def poster_seal(request: HttpRequest, pk: int) -> HttpResponse:
    concertation = visible_concertation_or_404(request.user, pk, lead=True)
    version = _draft_or_none(concertation)
    if version is None:
        raise Http404
    form = SealForm(request.POST)
    if form.is_valid():
        try:
            services.poster_seal(
                version=version,
                by=request.user,
                method=form.cleaned_data["method"],
                approvals=form.cleaned_data["approvals"] or 0,
                rejections=form.cleaned_data["rejections"] or 0,
                abstentions=form.cleaned_data["abstentions"] or 0,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("L'affiche est validée : elle est figée et ses PDF sont prêts."))
            return redirect("posters:overview", pk=concertation.pk)
    versions = list(_versions(concertation, with_drafts=True))
    return render(
        request,
        "posters/overview.html",
        {
            "concertation": concertation,
            "can_lead": True,
            "versions": versions,
            "validated": next((v for v in versions if v.is_frozen), None),
            "draft": next((v for v in versions if not v.is_frozen), None),
            "compose_form": ComposeForm(),
            "seal_form": form,
            "audit_entries": _poster_audit(concertation),
        },
        status=400,
    )


def _version_for(request: HttpRequest, version_pk: int) -> PosterVersion:
    """Validated versions to whoever sees the concertation; drafts to its facilitators only."""
    version = get_object_or_404(PosterVersion.objects.select_related("poster__concertation"), pk=version_pk)
    concertation = version.poster.concertation
    allowed = (
        can_view_concertation(request.user, concertation)
        if version.is_frozen
        else can_lead_concertation(request.user, concertation)
    )
    if not allowed:
        raise Http404
    return version


def _poster_filename(version: PosterVersion, suffix: str) -> str:
    return f"affiche-{slugify(version.heading)[:60]}-v{version.number}-{suffix}"


@login_required
def version_pdf(request: HttpRequest, version_pk: int, paper: str) -> HttpResponse:
    version = _version_for(request, version_pk)
    pdf = services.poster_pdf(version, paper=PAPERS[paper])
    return _attachment(
        pdf, content_type="application/pdf", filename=_poster_filename(version, f"{paper}.pdf")
    )


@login_required
def version_png(request: HttpRequest, version_pk: int) -> HttpResponse:
    version = _version_for(request, version_pk)
    if not version.is_frozen:
        raise Http404
    return _attachment(
        services.poster_png(version), content_type="image/png",
        filename=_poster_filename(version, "apercu.png"), inline=True,
    )


# --- Roadmaps ------------------------------------------------------------------------------


def _roadmaps_with_progress(queryset):
    return queryset.select_related("service", "concertation").annotate(
        total=Count("actions", distinct=True),
        done=Count("actions", filter=Q(actions__status=RoadmapAction.Status.DONE), distinct=True),
        overdue=Count(
            "actions",
            filter=Q(
                actions__due_on__lt=timezone.localdate(),
                actions__status__in=[RoadmapAction.Status.TODO, RoadmapAction.Status.DOING],
            ),
            distinct=True,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def roadmaps(request: HttpRequest, pk: int) -> HttpResponse:
    """Every service's roadmap with its progress, and the steering committee (facilitators)."""
    concertation = visible_concertation_or_404(request.user, pk)
    can_lead = can_lead_concertation(request.user, concertation)
    form = SteeringForm(
        initial={
            "held_on": concertation.steering_committee_on,
            "decisions": concertation.steering_committee_decisions,
            "public_followup": concertation.public_followup_enabled,
        }
    )
    if request.method == "POST":
        if not can_lead:
            raise PermissionDenied
        form = SteeringForm(request.POST)
        if form.is_valid():
            services.steering_committee_update(
                concertation=concertation,
                held_on=form.cleaned_data["held_on"],
                decisions=form.cleaned_data["decisions"],
                public_followup=form.cleaned_data["public_followup"],
            )
            messages.success(request, _("Comité de pilotage enregistré."))
            return redirect("posters:roadmaps", pk=concertation.pk)
    return render(
        request,
        "posters/roadmaps.html",
        {
            "concertation": concertation,
            "can_lead": can_lead,
            "roadmaps": _roadmaps_with_progress(Roadmap.objects.filter(concertation=concertation)),
            "steering_form": form,
            "public_url": request.build_absolute_uri(
                reverse("posters:public", kwargs={"token": concertation.public_token})
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def roadmaps_create(request: HttpRequest, pk: int) -> HttpResponse:
    concertation = visible_concertation_or_404(request.user, pk, lead=True)
    try:
        created = services.roadmaps_from_poster(concertation=concertation, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            ngettext(
                "Feuilles de route à jour : %(count)s action créée depuis l'affiche.",
                "Feuilles de route à jour : %(count)s actions créées depuis l'affiche.",
                created,
            )
            % {"count": created},
        )
    return redirect("posters:roadmaps", pk=concertation.pk)


def _actions(roadmap: Roadmap):
    return roadmap.actions.select_related("commitment").prefetch_related(
        Prefetch("notes", queryset=ProgressNote.objects.select_related("author"))
    )


def _with_forms(actions, *, can_update: bool) -> list[RoadmapAction]:
    """Each action carries its own edit and note forms (prefixed, so ids stay unique)."""
    actions = list(actions)
    if can_update:
        for action in actions:
            action.form = ActionForm(instance=action, prefix=f"action-{action.pk}")
            action.note_form = NoteForm(prefix=f"note-{action.pk}")
    return actions


def _roadmap_for(request: HttpRequest, pk: int, service_pk: int) -> tuple[Roadmap, bool]:
    concertation = visible_concertation_or_404(request.user, pk)
    roadmap = get_object_or_404(
        Roadmap.objects.select_related("service", "concertation"),
        concertation=concertation,
        service_id=service_pk,
    )
    roadmap.concertation = concertation
    return roadmap, can_update_roadmap(request.user, concertation=concertation, service_id=service_pk)


def _today_context() -> dict:
    return {"today": timezone.localdate()}


@login_required
@require_http_methods(["GET", "POST"])
def roadmap_detail(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    """One service's roadmap; POST adds an action (managers of that service, facilitators)."""
    roadmap, can_update = _roadmap_for(request, pk, service_pk)
    form = ActionForm()
    if request.method == "POST":
        if not can_update:
            raise PermissionDenied
        form = ActionForm(request.POST)
        if form.is_valid():
            services.action_create(roadmap=roadmap, by=request.user, **form.cleaned_data)
            messages.success(request, _("Action ajoutée."))
            return redirect("posters:roadmap", pk=pk, service_pk=service_pk)
    return render(
        request,
        "posters/roadmap.html",
        {
            "roadmap": roadmap,
            "concertation": roadmap.concertation,
            "can_update": can_update,
            "actions": _with_forms(_actions(roadmap), can_update=can_update),
            "action_form": form,
            "audit_entries": list(roadmap.audit_entries.all()[:AUDIT_SHOWN]) if can_update else [],
            **_today_context(),
        },
        status=400 if form.errors else 200,
    )


def _action_for_update(request: HttpRequest, action_pk: int) -> RoadmapAction:
    action = get_object_or_404(
        RoadmapAction.objects.select_related("roadmap__concertation", "roadmap__service"), pk=action_pk
    )
    concertation = action.roadmap.concertation
    if not can_view_concertation(request.user, concertation):
        raise Http404
    if not can_update_roadmap(request.user, concertation=concertation, service_id=action.roadmap.service_id):
        raise PermissionDenied
    return action


def _action_response(request: HttpRequest, action: RoadmapAction, *, form=None, note_form=None, status=200):
    if request.htmx:
        [action] = _with_forms(_actions(action.roadmap).filter(pk=action.pk), can_update=True)
        action.form = form or action.form
        action.note_form = note_form or action.note_form
        return render(
            request,
            "posters/roadmap.html#action",
            {"action": action, "can_update": True, **_today_context()},
        )  # 200 even with errors: htmx 2 does not swap 4xx responses, and the errors must show.
    if status != 200:
        messages.error(request, _("L'action n'est pas modifiée : corrigez les champs signalés."))
    return redirect(
        reverse(
            "posters:roadmap",
            kwargs={"pk": action.roadmap.concertation_id, "service_pk": action.roadmap.service_id},
        )
        + f"#action-{action.pk}"
    )


def _action_form_post(request: HttpRequest, action_pk: int, *, form_class, slot: str, prefix: str, save,
                      done: str) -> HttpResponse:
    """Each action carries two forms (edit, progress note; see _with_forms) that post alike: an
    invalid one is shown again in its slot on the action, with its errors."""
    action = _action_for_update(request, action_pk)
    form = form_class(request.POST, prefix=f"{prefix}-{action.pk}")
    if not form.is_valid():
        return _action_response(request, action, status=400, **{slot: form})
    save(action=action, author=request.user, **form.cleaned_data)
    if not request.htmx:
        messages.success(request, done)
    return _action_response(request, action)


@login_required
@require_POST
def action_update(request: HttpRequest, action_pk: int) -> HttpResponse:
    return _action_form_post(
        request, action_pk, form_class=ActionForm, slot="form", prefix="action", save=services.action_update,
        done=_("Action mise à jour."),
    )


@login_required
@require_POST
def note_add(request: HttpRequest, action_pk: int) -> HttpResponse:
    return _action_form_post(
        request, action_pk, form_class=NoteForm, slot="note_form", prefix="note",
        save=services.progress_note_add, done=_("Point d'avancement ajouté."),
    )


# --- Exports -------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    ("title", _("Action")),
    ("commitment", _("Engagement d'origine")),
    ("owner", _("Responsable")),
    ("due_on", _("Échéance")),
    ("status", _("Statut")),
    ("last_note", _("Dernier point d'avancement")),
]


def _export_rows(roadmap: Roadmap) -> list[list]:
    rows = []
    for action in _actions(roadmap):
        notes = list(action.notes.all())
        last = f"{notes[0].written_on:%d/%m/%Y} : {notes[0].text}" if notes else ""
        rows.append(
            [
                action.title,
                action.commitment.text if action.commitment else "",
                action.owner,
                action.due_on,
                action.get_status_display(),
                last,
            ]
        )
    return rows


EXPORT_WIDTHS = [50, 40, 25, 12, 12, 60]
SPREADSHEETS = {
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
def roadmap_export(request: HttpRequest, pk: int, service_pk: int, fmt: str) -> HttpResponse:
    roadmap, _can_update = _roadmap_for(request, pk, service_pk)
    name = f"feuille-de-route-{slugify(roadmap.service.name)}"
    headers = [str(label) for _key, label in EXPORT_COLUMNS]
    if fmt == "csv":
        return _attachment(
            spreadsheets.as_csv(headers, _export_rows(roadmap)), content_type="text/csv; charset=utf-8",
            filename=f"{name}.csv",
        )
    if fmt in SPREADSHEETS:
        write = spreadsheets.as_ods if fmt == "ods" else spreadsheets.as_xlsx
        content = write(_("Feuille de route"), headers, _export_rows(roadmap), EXPORT_WIDTHS)
        return _attachment(content, content_type=SPREADSHEETS[fmt], filename=f"{name}.{fmt}")
    pdf = document_pdf(
        "posters/pdf/roadmap.html",
        {
            "roadmap": roadmap, "concertation": roadmap.concertation, "actions": _actions(roadmap),
            **_today_context(),
        },
    )
    return _attachment(pdf, content_type="application/pdf", filename=f"{name}.pdf")


@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The anonymous workshop report: counts, contributions, positions and votes, no names."""
    concertation = visible_concertation_or_404(request.user, pk)
    pdf = document_pdf("posters/pdf/report.html", {"concertation": concertation, **report_data(concertation)})
    return _attachment(
        pdf, content_type="application/pdf", filename=f"compte-rendu-{slugify(concertation.title)}.pdf"
    )


# --- Dashboard and public follow-up ---------------------------------------------------------


def _latest_validated_by_concertation(concertation_ids) -> dict[int, PosterVersion]:
    latest: dict[int, PosterVersion] = {}
    for version in PosterVersion.objects.filter(
        poster__concertation_id__in=concertation_ids, status=PosterVersion.Status.VALIDATED
    ).select_related("poster").order_by("-number"):
        latest.setdefault(version.poster.concertation_id, version)
    return latest


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """A service manager's services: posters and roadmaps to download, overdue actions first."""
    roadmaps = list(
        _roadmaps_with_progress(Roadmap.objects.filter(service__managers=request.user))
        .prefetch_related(
            Prefetch("actions", queryset=RoadmapAction.objects.overdue().order_by("due_on"), to_attr="late")
        )
        .order_by("concertation__title", "service__name")
    )
    posters = _latest_validated_by_concertation({r.concertation_id for r in roadmaps})
    for roadmap in roadmaps:
        roadmap.poster_version = posters.get(roadmap.concertation_id)
    return render(request, "posters/dashboard.html", {"roadmaps": roadmaps, **_today_context()})


def _public_concertation(token: str) -> Concertation:
    try:
        return Concertation.objects.select_related("site").get(
            public_token=token, public_followup_enabled=True
        )
    except Concertation.DoesNotExist:
        raise Http404 from None


def public_followup(request: HttpRequest, token: str) -> HttpResponse:
    """Read-only, opt-in, unguessable: the poster and how each commitment is progressing.
    No personal data: no names of owners, no note texts, no participants."""
    concertation = _public_concertation(token)
    version = services.latest_validated(concertation)
    actions = list(
        RoadmapAction.objects.filter(roadmap__concertation=concertation)
        .select_related("roadmap__service", "commitment")
        .annotate(last_update=Max("notes__written_on"))
        .order_by("roadmap__service__name", "due_on", "pk")
    )
    by_commitment: dict[str, list[RoadmapAction]] = {}
    others = []
    for action in actions:
        if action.commitment is not None:
            by_commitment.setdefault(action.commitment.text.casefold(), []).append(action)
        else:
            others.append(action)
    commitments, sheet = [], {}
    if version is not None:
        ordered = sorted(version.commitments.all(), key=lambda c: (PARTIES.index(c.party), c.order, c.pk))
        for commitment in ordered:
            commitment.followup = by_commitment.get(commitment.text.casefold(), [])
            commitments.append(commitment)
        sheet = _preview_context(version, services.poster_content(version))
    return render(
        request,
        "posters/public_followup.html",
        sheet
        | {
            "concertation": concertation,
            "version": version,
            "commitments": commitments,
            "other_actions": others,
            "status_counts": {
                status: sum(1 for a in actions if a.status == status) for status in RoadmapAction.Status
            },
            "statuses": RoadmapAction.Status,
        },
    )


def public_poster(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    concertation = _public_concertation(token)
    version = services.latest_validated(concertation)
    if version is None:
        raise Http404
    if fmt == "png":
        return _attachment(
            services.poster_png(version), content_type="image/png",
            filename=_poster_filename(version, "apercu.png"), inline=True,
        )
    return _attachment(
        services.poster_pdf(version, paper=PAPERS[fmt]), content_type="application/pdf",
        filename=_poster_filename(version, f"{fmt}.pdf"),
    )
