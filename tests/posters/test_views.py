"""The poster, roadmap and follow-up pages seen from the outside (HTTP), with their permissions."""

import csv
import datetime
import io
import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from odf import opendocument, teletype
from odf.table import Table, TableCell, TableRow
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from posters import services
from posters.models import PosterVersion, ProgressNote, Roadmap, RoadmapAction
from workshops.models import Concertation, Service

PASSWORD = "demo-vivre-ensemble"


@pytest.fixture
def hautepierre(demo) -> Concertation:
    return Concertation.objects.get(title="Vivre ensemble à la Maison de Hautepierre")


def login(client, username: str) -> None:
    assert client.login(username=username, password=PASSWORD)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_facilitator_pages(client, hautepierre):
    login(client, "animatrice")
    overview = client.get(reverse("posters:overview", args=[hautepierre.pk]))
    assert overview.status_code == 200
    assert "Télécharger l'affiche A4 (PDF)" in overview.text
    assert hautepierre.poster.versions.get().content_hash in overview.text

    response = client.post(reverse("posters:new_draft", args=[hautepierre.pk]))
    assert response.status_code == 302
    edit = client.get(reverse("posters:edit", args=[hautepierre.pk]))
    assert edit.status_code == 200
    assert "Les agents s'engagent à…" in edit.text
    assert "D'après :" in edit.text
    assert "« Prendre plus de temps pour accompagner l&#x27;usager dans ses démarches »" in edit.text

    report = client.get(reverse("posters:report_pdf", args=[hautepierre.pk]))
    assert report["Content-Type"] == "application/pdf"
    text = pdf_text(report.content)
    assert "Participation" in text and "Médiane" in text.replace("médiane", "Médiane")
    assert "Prendre plus de temps pour accompagner l'usager" in text
    for name in ["Nadia B.", "Fatima Z.", "Thierry K."]:
        assert name not in text


def _editor_data(version: PosterVersion, **changes) -> dict:
    data = {
        "heading": version.heading, "scope_label": version.scope_label,
        "held_on": version.held_on.isoformat() if version.held_on else "",
        "participants_count": version.participants_count,
        "qualites-TOTAL_FORMS": 1, "qualites-INITIAL_FORMS": 0,
        "qualites-0-text": "respect", "qualites-0-order": 0,
        "engagements-TOTAL_FORMS": 2, "engagements-INITIAL_FORMS": 0,
        "engagements-0-party": "users", "engagements-0-text": "prévenir en cas d'absence",
        "engagements-0-order": 1,
        "engagements-1-party": "users", "engagements-1-text": "dire bonjour",
        "engagements-1-order": 0,
    }
    return data | changes


def test_live_preview_shows_unsaved_wording_in_order(client, hautepierre):
    login(client, "animatrice")
    client.post(reverse("posters:new_draft", args=[hautepierre.pk]))
    draft = PosterVersion.objects.get(status="draft")
    response = client.post(
        reverse("posters:preview", args=[hautepierre.pk]), _editor_data(draft, heading="Titre en cours"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Titre en cours" in response.text
    assert response.text.index("dire bonjour") < response.text.index("prévenir en cas d")
    draft.refresh_from_db()
    assert draft.heading == "Vivre ensemble à la Maison de Hautepierre"

    saved = client.post(reverse("posters:edit", args=[hautepierre.pk]), _editor_data(draft, heading=""))
    assert saved.status_code == 400
    assert "Ce champ est obligatoire." in saved.text
    assert 'aria-invalid="true"' in saved.text
    saved = client.post(reverse("posters:edit", args=[hautepierre.pk]), _editor_data(draft))
    assert saved.status_code == 302
    added = draft.commitments.filter(party="users", text__in=["dire bonjour", "prévenir en cas d'absence"])
    assert list(added.order_by("order").values_list("text", flat=True)) == [
        "dire bonjour", "prévenir en cas d'absence",
    ]
    assert draft.commitments.count() == 7 + 2


def _png(size=(40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, "PNG")
    return buffer.getvalue()


def test_logo_upload_is_checked(client, hautepierre, media):
    login(client, "animatrice")
    client.post(reverse("posters:new_draft", args=[hautepierre.pk]))
    url = reverse("posters:logo", args=[hautepierre.pk])
    response = client.post(url, {"logo": SimpleUploadedFile("logo.txt", b"pas une image")})
    assert response.status_code == 400
    assert "Ce fichier n&#x27;est pas une image PNG ou JPEG lisible." in response.text
    big = _png((3000, 3000)) + b"\0" * (2 * 1024 * 1024)
    response = client.post(url, {"logo": SimpleUploadedFile("logo.png", big)})
    assert response.status_code == 400
    assert "Le logo pèse plus de 2 Mo" in response.text
    response = client.post(url, {"logo": SimpleUploadedFile("logo.png", _png())})
    assert response.status_code == 302
    draft = PosterVersion.objects.get(status="draft")
    assert draft.logo.name.startswith("logos/")
    assert services.poster_content(draft)["logo_sha256"]
    edit = client.get(reverse("posters:edit", args=[hautepierre.pk]))
    assert 'src="data:image/png;base64,' in edit.text


def test_seal_form_reports_errors_in_french(client, hautepierre, media):
    login(client, "animatrice")
    client.post(reverse("posters:new_draft", args=[hautepierre.pk]))
    url = reverse("posters:seal", args=[hautepierre.pk])
    response = client.post(url, {"method": "hands", "approvals": "", "rejections": "0"})
    assert response.status_code == 400
    assert "Indiquez combien de participant·es ont levé la main pour." in response.text
    response = client.post(url, {"method": "hands", "approvals": "2", "rejections": "5"})
    assert response.status_code == 400
    assert "il faut plus de participant·es pour que contre" in response.text
    response = client.post(url, {"method": "hands", "approvals": "8", "rejections": "0"})
    assert response.status_code == 302
    assert list(hautepierre.poster.versions.values_list("number", "status")) == [
        (2, "validated"), (1, "validated"),
    ]


@pytest.fixture
def mediatheque(hautepierre) -> Roadmap:
    return Roadmap.objects.get(concertation=hautepierre, service__name="Médiathèque")


@pytest.fixture
def mairie(hautepierre) -> Roadmap:
    return Roadmap.objects.get(concertation=hautepierre, service__name="Mairie de quartier")


def test_manager_updates_own_roadmap(client, mediatheque):
    login(client, "responsable.mediatheque")
    action = mediatheque.actions.exclude(status="done").first()
    prefix = f"action-{action.pk}"
    response = client.post(
        reverse("posters:action_update", args=[action.pk]),
        {f"{prefix}-title": action.title, f"{prefix}-owner": "Marc", f"{prefix}-due_on": "2027-01-15",
         f"{prefix}-status": "done"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.owner, action.due_on) == ("done", "Marc", date(2027, 1, 15))
    assert action.notes.filter(text__contains="→ Fait").exists()
    response = client.post(
        reverse("posters:note_add", args=[action.pk]), {f"note-{action.pk}-text": "Affiché à l'accueil"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Affiché à l&#x27;accueil" in response.text
    assert "<html" not in response.text
    response = client.post(
        reverse("posters:roadmap", args=[mediatheque.concertation_id, mediatheque.service_id]),
        {"title": "Former l'équipe à l'accueil", "status": "todo"},
    )
    assert response.status_code == 302
    assert mediatheque.actions.filter(title="Former l'équipe à l'accueil").exists()


def test_manager_cannot_edit_another_services_roadmap(client, mairie, mediatheque):
    login(client, "responsable.mediatheque")
    action = mairie.actions.first()
    before = (action.title, action.status, action.owner, action.due_on)
    notes = ProgressNote.objects.count()
    prefix = f"action-{action.pk}"
    response = client.post(
        reverse("posters:action_update", args=[action.pk]),
        {f"{prefix}-title": "Piraté", f"{prefix}-status": "dropped"},
    )
    assert response.status_code == 403
    assert client.post(
        reverse("posters:note_add", args=[action.pk]), {f"note-{action.pk}-text": "x"}
    ).status_code == 403
    assert client.post(
        reverse("posters:roadmap", args=[mairie.concertation_id, mairie.service_id]),
        {"title": "Intrus", "status": "todo"},
    ).status_code == 403
    page = client.get(reverse("posters:roadmap", args=[mairie.concertation_id, mairie.service_id]))
    assert "Marquer comme fait" not in page.text
    action.refresh_from_db()
    assert (action.title, action.status, action.owner, action.due_on) == before
    assert ProgressNote.objects.count() == notes
    assert not RoadmapAction.objects.filter(title="Intrus").exists()
    # Not even visible outside their concertations: the funeral service's concertation is not theirs.
    funeral = Concertation.objects.get(title="Vivre ensemble au service funéraire")
    assert client.get(reverse("posters:roadmaps", args=[funeral.pk])).status_code == 404
    # Nor may a manager change the steering committee or create a poster draft.
    assert client.post(
        reverse("posters:roadmaps", args=[mairie.concertation_id]), {"decisions": "x"}
    ).status_code == 403
    assert client.post(reverse("posters:new_draft", args=[mairie.concertation_id])).status_code == 404


def test_roadmap_exports(client, mediatheque):
    login(client, "responsable.mediatheque")
    args = [mediatheque.concertation_id, mediatheque.service_id]
    response = client.get(reverse("posters:roadmap_export", args=[*args, "csv"]))
    assert response["Content-Disposition"] == 'attachment; filename="feuille-de-route-mediatheque.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["Action", "Engagement d'origine", "Responsable", "Échéance", "Statut"]
    assert len(rows) == 1 + mediatheque.actions.count()
    assert "Prendre plus de temps pour accompagner l'usager" in [row[0] for row in rows]
    dated = next(row for row in rows[1:] if row[3])
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", dated[3])  # day/month/year, as in France
    response = client.get(reverse("posters:roadmap_export", args=[*args, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Action" and sheet["E2"].value in {"Fait", "En cours", "À faire"}
    due = next(row[3] for row in sheet.iter_rows(min_row=2) if row[3].value)
    assert isinstance(due.value, datetime.datetime) and due.number_format == "DD/MM/YYYY"
    assert f"{due.value:%d/%m/%Y}" == dated[3]
    # OpenDocument, as the administration's interoperability framework asks.
    response = client.get(reverse("posters:roadmap_export", args=[*args, "ods"]))
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert response["Content-Disposition"] == 'attachment; filename="feuille-de-route-mediatheque.ods"'
    table = opendocument.load(io.BytesIO(response.content)).spreadsheet.getElementsByType(Table)[0]
    cells = [
        [(cell.getAttribute("valuetype"), cell.getAttribute("datevalue"), teletype.extractText(cell))
         for cell in row.getElementsByType(TableCell)]
        for row in table.getElementsByType(TableRow)
    ]
    assert [text for _type, _date, text in cells[0]] == rows[0]
    assert [[text for _type, _date, text in row] for row in cells[1:]] == rows[1:]
    ods_due = next(row[3] for row in cells[1:] if row[3][2] == dated[3])
    assert ods_due[0] == "date" and ods_due[1] == f"{due.value:%Y-%m-%d}"
    response = client.get(reverse("posters:roadmap_export", args=[*args, "pdf"]))
    text = pdf_text(response.content)
    assert "Feuille de route : Médiathèque" in text
    assert "Prendre plus de temps pour accompagner l'usager" in text
    unknown = f"/affiches/demarches/{args[0]}/feuilles-de-route/{args[1]}/export.exe"
    assert client.get(unknown).status_code == 404


def test_public_followup_is_opt_in_and_without_personal_data(client, hautepierre, mediatheque):
    url = reverse("posters:public", args=[hautepierre.public_token])
    response = client.get(url)
    assert response.status_code == 200
    assert "Où en sont les engagements ?" in response.text
    assert "Médiathèque" in response.text and "Fait" in response.text
    for personal in ["Marc Schneider", "Nadia B.", "Claire", "Point fait en réunion"]:
        assert personal not in response.text
    poster = client.get(reverse("posters:public_poster", args=[hautepierre.public_token, "a4"]))
    assert poster.status_code == 200 and poster["Content-Type"] == "application/pdf"
    assert client.get(reverse("posters:public", args=["pas-le-bon-jeton"])).status_code == 404
    Concertation.objects.filter(pk=hautepierre.pk).update(public_followup_enabled=False)
    assert client.get(url).status_code == 404
    assert client.get(reverse("posters:public_png", args=[hautepierre.public_token])).status_code == 404


def _grow(concertation: Concertation, n: int) -> None:
    """More services, roadmaps, actions and notes, to check that query counts do not grow."""
    manager = concertation.services.get(name="Médiathèque").managers.get()
    for i in range(n):
        service = Service.objects.create(name=f"Service ajouté {i}", site=concertation.site)
        concertation.services.add(service)
        service.managers.add(manager)
        roadmap = Roadmap.objects.create(concertation=concertation, service=service)
        for j in range(3):
            action = RoadmapAction.objects.create(
                roadmap=roadmap, title=f"Action {i}.{j}", due_on=date.today() - timedelta(days=j),
                commitment=concertation.poster.versions.get().commitments.first(),
            )
            ProgressNote.objects.create(action=action, text="ok")


@pytest.mark.parametrize("name", ["dashboard", "roadmap", "public"])
def test_query_counts_do_not_grow(client, hautepierre, mediatheque, django_assert_num_queries, name):
    login(client, "responsable.mediatheque")
    urls = {
        "dashboard": reverse("posters:dashboard"),
        "roadmap": reverse("posters:roadmap", args=[hautepierre.pk, mediatheque.service_id]),
        "public": reverse("posters:public", args=[hautepierre.public_token]),
    }
    # dashboard: session, user, roadmaps with counts, overdue actions, latest posters, permissions (2).
    # roadmap: session, user, concertation, can_lead, managed service, roadmap, actions, notes, audit
    # trail, perms (2).
    # public: session, user, perms (2), concertation, latest validated version, actions, commitments.
    expected = {"dashboard": 7, "roadmap": 11, "public": 8}[name]
    with django_assert_num_queries(expected):
        assert client.get(urls[name]).status_code == 200
    _grow(hautepierre, 4)
    for action in mediatheque.actions.all()[:2]:
        ProgressNote.objects.create(action=action, text="encore")
    with django_assert_num_queries(expected):
        assert client.get(urls[name]).status_code == 200


def test_steering_committee_and_roadmaps_from_a_new_poster_version(client, hautepierre, media):
    login(client, "animatrice")
    url = reverse("posters:roadmaps", args=[hautepierre.pk])
    response = client.post(url, {"held_on": "pas une date", "decisions": "x"})
    assert response.status_code == 400
    assert "Saisissez une date valide." in response.text
    response = client.post(
        url, {"held_on": "2027-03-02", "decisions": "Bilan à six mois validé.", "public_followup": ""}
    )
    assert response.status_code == 302
    hautepierre.refresh_from_db()
    assert hautepierre.steering_committee_on == date(2027, 3, 2)
    assert hautepierre.steering_committee_decisions == "Bilan à six mois validé."
    assert not hautepierre.public_followup_enabled
    assert client.get(reverse("posters:public", args=[hautepierre.public_token])).status_code == 404

    draft = services.poster_draft(concertation=hautepierre)
    services.poster_edit(
        version=draft, header=services.Header(heading=draft.heading, participants_count=8),
        qualities=[], commitments=[services.ItemEdit(text="afficher les horaires d'été", party="agents")],
    )
    services.poster_seal(version=draft, by=None, method="hands", approvals=8)
    before = RoadmapAction.objects.count()
    response = client.post(reverse("posters:roadmaps_create", args=[hautepierre.pk]))
    assert response.status_code == 302
    # Four services × (the new commitment + the two users' commitments the demo had not
    # turned into actions); the five already followed are not doubled.
    assert RoadmapAction.objects.count() == before + 4 * 3
    assert RoadmapAction.objects.filter(title="Afficher les horaires d'été").count() == 4


def test_dashboard_highlights_overdue_actions_in_words(client, mediatheque):
    action = mediatheque.actions.exclude(status="done").first()
    RoadmapAction.objects.filter(pk=action.pk).update(
        due_on=date.today() - timedelta(days=3), status=RoadmapAction.Status.TODO
    )
    login(client, "responsable.mediatheque")
    response = client.get(reverse("posters:dashboard"))
    assert "⚠ 1 action en retard" in response.text
    assert "échéance dépassée" in response.text
    assert "Mairie de quartier" not in response.text


def test_admin_shows_a_validated_version_read_only(client, demo_version):
    login(client, "admin")
    url = reverse("admin:posters_posterversion_change", args=[demo_version.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert demo_version.content_hash in page.text
    assert 'name="heading"' not in page.text
    assert client.post(url, {"heading": "Changé"}).status_code == 403
    demo_version.refresh_from_db()
    assert demo_version.heading == "Vivre ensemble à la Maison de Hautepierre"
