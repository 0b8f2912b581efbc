"""The audit trail: every change to a poster or a roadmap says who, when and what changed."""

import pytest
from django.urls import reverse

from posters.models import AuditEntry, Roadmap
from workshops.models import Concertation

PASSWORD = "demo-vivre-ensemble"


@pytest.fixture
def hautepierre(demo) -> Concertation:
    return Concertation.objects.get(title="Vivre ensemble à la Maison de Hautepierre")


@pytest.fixture
def mediatheque(hautepierre) -> Roadmap:
    return Roadmap.objects.get(concertation=hautepierre, service__name="Médiathèque")


def login(client, username: str) -> None:
    assert client.login(username=username, password=PASSWORD)


def test_roadmap_changes_are_journaled_with_their_author(client, mediatheque):
    login(client, "responsable.mediatheque")
    action = mediatheque.actions.exclude(status="done").first()
    prefix = f"action-{action.pk}"
    client.post(
        reverse("posters:action_update", args=[action.pk]),
        {f"{prefix}-title": action.title, f"{prefix}-owner": "Marc", f"{prefix}-due_on": "2027-01-15",
         f"{prefix}-status": "done"},
    )
    entry = AuditEntry.objects.get(model="roadmapaction", object_id=action.pk, action="update")
    assert entry.user.username == "responsable.mediatheque"
    assert entry.user_label == "Marc Schneider"
    assert entry.roadmap == mediatheque
    assert entry.changes["status"][1] == "done"
    assert entry.changes["owner"] == [action.owner, "Marc"]

    text = "Affiché à l'accueil"
    client.post(reverse("posters:note_add", args=[action.pk]), {f"note-{action.pk}-text": text})
    note = AuditEntry.objects.get(model="progressnote", action="create", changes__text__1=text)
    assert note.user.username == "responsable.mediatheque"

    client.post(
        reverse("posters:roadmap", args=[mediatheque.concertation_id, mediatheque.service_id]),
        {"title": "Former l'équipe à l'accueil", "status": "todo"},
    )
    assert AuditEntry.objects.filter(
        model="roadmapaction", action="create", object_repr="Former l'équipe à l'accueil",
        user__username="responsable.mediatheque",
    ).exists()

    page = client.get(reverse("posters:roadmap", args=[mediatheque.concertation_id, mediatheque.service_id]))
    assert "Journal des modifications" in page.text
    assert "Marc Schneider" in page.text and "Affiché à l&#x27;accueil" in page.text


def test_poster_edit_and_seal_are_journaled(client, hautepierre, media):
    login(client, "animatrice")
    client.post(reverse("posters:new_draft", args=[hautepierre.pk]))
    draft = hautepierre.poster.versions.get(status="draft")
    created = AuditEntry.objects.get(model="posterversion", object_id=draft.pk, action="create")
    assert created.user.username == "animatrice"
    quality = draft.qualities.first()
    data = {
        "heading": "Vivre ensemble, version 2", "scope_label": draft.scope_label,
        "held_on": draft.held_on.isoformat() if draft.held_on else "",
        "participants_count": draft.participants_count,
        "qualites-TOTAL_FORMS": 1, "qualites-INITIAL_FORMS": 1,
        "qualites-0-id": quality.pk, "qualites-0-text": "Respect mutuel", "qualites-0-order": 0,
        "engagements-TOTAL_FORMS": 0, "engagements-INITIAL_FORMS": 0,
    }
    response = client.post(reverse("posters:edit", args=[hautepierre.pk]), data)
    assert response.status_code == 302, response.text
    header = AuditEntry.objects.get(model="posterversion", object_id=draft.pk, action="update")
    assert header.user.username == "animatrice"
    assert header.changes["heading"] == [draft.heading, "Vivre ensemble, version 2"]
    changed = AuditEntry.objects.get(model="posterquality", object_id=quality.pk, action="update")
    assert changed.changes["text"] == [quality.text, "Respect mutuel"]

    response = client.post(
        reverse("posters:seal", args=[hautepierre.pk]),
        {"method": "hands", "approvals": "8", "rejections": "1"},
    )
    assert response.status_code == 302
    seal = AuditEntry.objects.get(model="posterversion", object_id=draft.pk, action="seal")
    assert seal.user.username == "animatrice"
    assert seal.changes["status"] == ["draft", "validated"]
    assert seal.changes["approvals"] == [0, 8]

    overview = client.get(reverse("posters:overview", args=[hautepierre.pk]))
    assert "Journal des modifications" in overview.text
    assert "Validation (affiche figée)" in overview.text


def test_managers_do_not_see_the_poster_journal_and_cannot_change_it_in_admin(client, hautepierre):
    login(client, "responsable.mediatheque")
    overview = client.get(reverse("posters:overview", args=[hautepierre.pk]))
    assert "Journal des modifications" not in overview.text
    login(client, "admin")
    assert client.get(reverse("admin:posters_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:posters_auditentry_add")).status_code == 403
