"""Representativeness, the mixed panel, printed documents, invitations, and who may see them."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from panels.models import PanelTarget, Participant
from panels.services import mixed_balance, mixed_panel_proposal, representativeness
from tests import factories

pytestmark = pytest.mark.django_db


def agents(concertation, specs):
    panel = factories.panel(concertation, "agents")
    return [
        Participant.objects.create(home_panel=panel, display_name=name, sex=sex, age_band=age,
                                   admin_category=cat, job_family=job, mixed_volunteer=volunteer)
        for name, sex, age, cat, job, volunteer in specs
    ]


def users(concertation, count, *, volunteers=True):
    panel = factories.panel(concertation, "users")
    return [
        Participant.objects.create(home_panel=panel, display_name=f"Usager {i}", sex="fm"[i % 2],
                                   age_band="40-54", profile="individual", mixed_volunteer=volunteers)
        for i in range(count)
    ]


def test_representativeness_sets_actual_against_target(concertation):
    panel = factories.panel(concertation, "agents")
    agents(concertation, [("A", "f", "25-39", "C", "technical", False)] * 3
           + [("B", "m", "40-54", "A", "", False)])
    PanelTarget.objects.create(panel=panel, criterion="sex", value="f", percent=50)
    PanelTarget.objects.create(panel=panel, criterion="sex", value="m", percent=50)
    reports = representativeness(panel=panel, participants=list(panel.participants.all()),
                                 targets=panel.targets.all())
    sex = next(r for r in reports if r.criterion == "sex")
    female = next(s for s in sex.shares if s.value == "f")
    assert (female.count, female.percent, female.target, female.gap) == (3, 75, 50, 25)
    assert female.off_target
    assert [r.criterion for r in reports] == ["sex", "age_band", "admin_category", "job_family"]
    job = next(r for r in reports if r.criterion == "job_family")
    assert job.unknown == 1


def test_mixed_proposal_takes_half_of_each_panel_balanced_on_criteria(concertation):
    agents(concertation, [
        ("Agnès", "f", "25-39", "C", "administrative", True),
        ("Aline", "f", "25-39", "C", "administrative", True),
        ("Bernard", "m", "55-64", "A", "technical", True),
        ("Claire", "f", "40-54", "B", "administrative", False),
        ("Denis", "m", "40-54", "C", "technical", True),
        ("Eve", "f", "25-39", "C", "administrative", False),
    ])
    users(concertation, 4)
    proposal = mixed_panel_proposal(concertation=concertation)
    names = [p.display_name for p in proposal]
    assert len([p for p in proposal if p.home_panel.kind == "agents"]) == 3
    assert len([p for p in proposal if p.home_panel.kind == "users"]) == 2
    # Deterministic and balanced: a man and a woman at least among the three agents.
    assert {"Bernard", "Denis"} & set(names) and {"Agnès", "Aline"} & set(names)
    assert names == [p.display_name for p in mixed_panel_proposal(concertation=concertation)]


def test_mixed_balance_warns_when_far_from_half_and_half(concertation):
    people = agents(concertation, [(f"A{i}", "f", "25-39", "C", "technical", True) for i in range(6)])
    for person in people:
        person.in_mixed_panel = True
    balance = mixed_balance(people=people, agents_panel=6, users_panel=6)
    assert any("moitié d'agents et pour moitié d'usagers" in w for w in balance.warnings)


def test_mixed_panel_page_proposes_and_toggles(client, facilitator, concertation):
    agents(concertation, [("Agnès", "f", "25-39", "C", "administrative", True),
                          ("Bernard", "m", "55-64", "A", "technical", False)])
    users(concertation, 2)
    client.force_login(facilitator)
    url = reverse("panels:mixed", args=[concertation.pk])
    client.post(url)
    assert set(Participant.objects.filter(in_mixed_panel=True).values_list("display_name", flat=True)) == {
        "Agnès", "Usager 0"}
    bernard = Participant.objects.get(display_name="Bernard")
    response = client.post(reverse("panels:mixed_toggle", args=[bernard.pk]), {"selected": "1"},
                           HTTP_HX_REQUEST="true")
    assert "n&#x27;est pas volontaire" in response.content.decode()
    bernard.refresh_from_db()
    assert not bernard.in_mixed_panel
    agnes = Participant.objects.get(display_name="Agnès")
    client.post(reverse("panels:mixed_toggle", args=[agnes.pk]), {"selected": "0"})
    agnes.refresh_from_db()
    assert not agnes.in_mixed_panel


def test_targets_page_saves_and_refuses_more_than_100(client, facilitator, concertation):
    panel = factories.panel(concertation, "users")
    client.force_login(facilitator)
    url = reverse("panels:targets", args=[panel.pk])
    response = client.post(url, {"target_size": 8, "sex__f": 70, "sex__m": 40})
    assert "plus de 100" in response.content.decode()
    assert not panel.targets.exists()
    client.post(url, {"target_size": 10, "sex__f": 50, "sex__m": 50, "profile__business": 20})
    panel.refresh_from_db()
    assert panel.target_size == 10
    assert panel.targets.count() == 3


def test_participant_add_edit_remove_with_consent(client, facilitator, concertation):
    panel = factories.panel(concertation, "agents")
    client.force_login(facilitator)
    response = client.post(reverse("panels:participant_add", args=[panel.pk]), {
        "display_name": "Fatou", "sex": "f", "age_band": "25-39", "admin_category": "B",
        "consent_on": "2026-09-01", "consent_method": "", "consent_scope": "ateliers",
    })
    assert "Dites comment le consentement a été recueilli" in response.content.decode()
    client.post(reverse("panels:participant_add", args=[panel.pk]), {
        "display_name": "Fatou", "sex": "f", "age_band": "25-39", "admin_category": "B",
        "consent_on": "2026-09-01", "consent_method": "oral", "consent_scope": "ateliers et affiche",
        "mixed_volunteer": "on",
    })
    fatou = panel.participants.get()
    assert fatou.consent_scope == "ateliers et affiche"
    fatou.in_mixed_panel = True
    fatou.save()
    client.post(reverse("panels:participant_edit", args=[fatou.pk]), {
        "display_name": "Fatou D.", "consent_method": "oral", "consent_on": "2026-09-01",
    })
    fatou.refresh_from_db()
    assert fatou.display_name == "Fatou D." and not fatou.in_mixed_panel
    client.post(reverse("panels:participant_delete", args=[fatou.pk]))
    assert not panel.participants.exists()


def pdf_text(response) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content) if response.streaming
                                  else response.content))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_sign_in_sheet_and_invitation_letters_are_pdfs(client, facilitator, concertation):
    agents(concertation, [("Agnès", "f", "25-39", "C", "administrative", True),
                          ("Bernard", "m", "55-64", "A", "technical", False)])
    workshop = concertation.workshops.get(order=1)
    workshop.place = "Salle du conseil"
    workshop.starts_at = timezone.make_aware(timezone.datetime(2026, 12, 8, 14, 0))
    workshop.save()
    client.force_login(facilitator)
    response = client.get(reverse("panels:signin_sheet", args=[workshop.pk]))
    assert response["Content-Type"] == "application/pdf"
    pages, text = pdf_text(response)
    assert pages == 1
    assert "Feuille d’émargement" in text or "Feuille d'émargement" in text
    assert "Agnès" in text and "Bernard" in text and "Salle du conseil" in text
    fonts = PdfReader(io.BytesIO(response.content)).pages[0]["/Resources"]["/Font"].values()
    assert any("Atkinson" in str(font.get_object()["/BaseFont"]) for font in fonts)
    response = client.get(reverse("panels:workshop_letters", args=[workshop.pk]))
    pages, text = pdf_text(response)
    assert pages == 2
    assert "Bonjour Agnès" in text and "mardi 8 décembre 2026, 14h00" in text
    bernard = Participant.objects.get(display_name="Bernard")
    pages, text = pdf_text(client.get(reverse("panels:participant_letter", args=[bernard.pk])))
    assert pages == 1 and "Bonjour Bernard" in text


def test_invitations_are_emailed_with_the_ics_to_consenting_members(client, facilitator, concertation,
                                                                      mailoutbox):
    panel = factories.panel(concertation, "users")
    Participant.objects.create(home_panel=panel, display_name="Gisèle", email="gisele@example.fr",
                               consent_contact=True)
    Participant.objects.create(home_panel=panel, display_name="Hugo", email="hugo@example.fr")
    Participant.objects.create(home_panel=panel, display_name="Inès", consent_contact=True)
    workshop = concertation.workshops.get(panel=panel)
    client.force_login(facilitator)
    response = client.post(reverse("panels:send_invitations", args=[workshop.pk]), follow=True)
    assert "Fixez d&#x27;abord la date" in response.content.decode()
    assert mailoutbox == []
    workshop.starts_at = timezone.now() + timezone.timedelta(days=20)
    workshop.save()
    response = client.post(reverse("panels:send_invitations", args=[workshop.pk]), follow=True)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["gisele@example.fr"]
    assert "Bonjour Gisèle" in message.body
    name, content, mimetype = message.attachments[0]
    assert mimetype == "text/calendar" and "BEGIN:VEVENT" in str(content)
    assert "Hugo, Inès" in response.content.decode()
    assert Participant.objects.get(display_name="Gisèle").invited_at is not None
    page = client.get(reverse("panels:detail", args=[panel.pk])).content.decode()
    assert "invité·e le" in page


def panel_urls(concertation, participant):
    panel = factories.panel(concertation, "agents")
    workshop = concertation.workshops.get(panel=panel)
    return [
        reverse("panels:detail", args=[panel.pk]),
        reverse("panels:participant_add", args=[panel.pk]),
        reverse("panels:import", args=[panel.pk]),
        reverse("panels:targets", args=[panel.pk]),
        reverse("panels:participant_edit", args=[participant.pk]),
        reverse("panels:participant_delete", args=[participant.pk]),
        reverse("panels:mixed_toggle", args=[participant.pk]),
        reverse("panels:participant_letter", args=[participant.pk]),
        reverse("panels:mixed", args=[concertation.pk]),
        reverse("panels:workshop_letters", args=[workshop.pk]),
        reverse("panels:signin_sheet", args=[workshop.pk]),
        reverse("panels:send_invitations", args=[workshop.pk]),
    ]


def test_another_facilitator_can_neither_see_nor_change_the_panels(client, other_facilitator, concertation):
    person = agents(concertation, [("Agnès", "f", "25-39", "C", "administrative", True)])[0]
    manager = factories.service_manager(*concertation.services.all())
    for user in (other_facilitator, manager):
        client.force_login(user)
        for url in panel_urls(concertation, person):
            assert client.get(url).status_code == 404, url
            data = {"display_name": "X", "selected": "0", "target_size": 3}
            assert client.post(url, data).status_code == 404, url
    person.refresh_from_db()
    assert person.display_name == "Agnès" and person.in_mixed_panel is False
    client.logout()
    for url in panel_urls(concertation, person):
        assert client.get(url).status_code == 302


@pytest.mark.parametrize("size", [2, 25])
def test_panel_page_query_count_does_not_grow(client, facilitator, concertation, django_assert_num_queries,
                                              size):
    panel = factories.panel(concertation, "agents")
    factories.ParticipantFactory.create_batch(size, home_panel=panel)
    PanelTarget.objects.create(panel=panel, criterion="sex", value="f", percent=50)
    client.force_login(facilitator)
    # session, user, user and group permissions (nav), panel (with the team check), participants,
    # targets, panels of the concertation, workshop of the panel
    with django_assert_num_queries(9):
        response = client.get(reverse("panels:detail", args=[panel.pk]))
    assert f"{size} personnes sur 8 visées" in response.content.decode()


@pytest.mark.parametrize("size", [2, 25])
def test_mixed_page_query_count_does_not_grow(client, facilitator, concertation, django_assert_num_queries,
                                              size):
    factories.ParticipantFactory.create_batch(size, home_panel=factories.panel(concertation, "agents"),
                                              mixed_volunteer=True, in_mixed_panel=True)
    client.force_login(facilitator)
    # session, user, user and group permissions (nav), concertation (team), panels, their targets
    # (prefetch), participants
    with django_assert_num_queries(8):
        response = client.get(reverse("panels:mixed", args=[concertation.pk]))
    assert f"Panel mixte : {size} personnes" in response.content.decode()
