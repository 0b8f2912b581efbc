"""The method's scheduling rules: agents first, users 15 days to about a month later, mixed last."""

from datetime import datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from workshops.models import Workshop
from workshops.scheduling import Slot, run_of_show_issue, schedule_issues, schedule_save

pytestmark = pytest.mark.django_db

START = timezone.make_aware(datetime(2030, 3, 4, 14, 0))


def slots(concertation, *offsets_in_days):
    workshops = list(concertation.workshops.select_related("panel").order_by("order"))
    return [
        Slot(workshop=w, starts_at=None if days is None else START + timedelta(days=days),
             duration_minutes=120)
        for w, days in zip(workshops, offsets_in_days, strict=True)
    ]


def levels(issues):
    return sorted(issue.level for issue in issues)


def test_the_recommended_schedule_raises_nothing(concertation):
    assert schedule_issues(slots(concertation, 0, 21, 35)) == []


def test_users_too_soon_after_agents_is_a_warning_quoting_the_method(concertation):
    issues = schedule_issues(slots(concertation, 0, 7, 35))
    assert levels(issues) == ["warning"]
    assert "7 jours seulement" in issues[0].message
    assert "un délai minimum de quinze jours à un mois" in issues[0].message
    assert "promouvoir leur propre expérience" in issues[0].message


def test_users_long_after_agents_is_a_warning(concertation):
    issues = schedule_issues(slots(concertation, 0, 50, 60))
    assert levels(issues) == ["warning"] and "50 jours" in issues[0].message


def test_users_before_agents_and_mixed_before_the_others_are_errors(concertation):
    issues = schedule_issues(slots(concertation, 10, 0, 20))
    assert "error" in levels(issues)
    assert any("L'atelier agents a lieu en premier" in i.message for i in issues)
    issues = schedule_issues(slots(concertation, 0, 20, 10))
    assert any("L'atelier mixte" in i.message for i in issues)


def test_overlap_is_an_error(concertation):
    schedule = slots(concertation, 0, None, None)
    second = Slot(workshop=slots(concertation, 0, 0, 0)[1].workshop, starts_at=START + timedelta(hours=1),
                  duration_minutes=120)
    assert "error" in levels(schedule_issues([schedule[0], second]))


def test_partial_schedules_are_fine(concertation):
    assert schedule_issues(slots(concertation, 0, None, None)) == []


def test_run_of_show_over_two_hours_is_a_warning(concertation):
    workshop = concertation.workshops.first()
    assert run_of_show_issue(workshop=workshop, total_minutes=120) is None
    issue = run_of_show_issue(workshop=workshop, total_minutes=135)
    assert issue.level == "warning" and "135 minutes" in issue.message


def test_schedule_save_moves_all_dates_past_the_database_trigger(concertation):
    schedule_save(slots=slots(concertation, 0, 21, 35))
    # Move everything two months later: saved one by one, the agents workshop would pass the others.
    schedule_save(slots=slots(concertation, 60, 81, 95))
    dates = list(concertation.workshops.order_by("order").values_list("starts_at", flat=True))
    assert dates == [START + timedelta(days=d) for d in (60, 81, 95)]
    agents = concertation.workshops.get(order=1)
    agents.starts_at = START + timedelta(days=200)
    with pytest.raises(IntegrityError), transaction.atomic():
        agents.save()


def form_data(concertation, days, *, place="Salle des fêtes"):
    data = {}
    for workshop, offset in zip(concertation.workshops.order_by("order"), days, strict=True):
        when = START + timedelta(days=offset) if offset is not None else None
        data |= {
            f"w{workshop.pk}_date": when.strftime("%Y-%m-%d") if when else "",
            f"w{workshop.pk}_time": "14:00" if when else "",
            f"w{workshop.pk}_duration": "120",
            f"w{workshop.pk}_place": place,
        }
    return data


def test_schedule_page_saves_with_a_warning(client, facilitator, concertation):
    client.force_login(facilitator)
    url = reverse("workshops:schedule", args=[concertation.pk])
    response = client.post(url, form_data(concertation, [0, 7, 30]), follow=True)
    html = response.content.decode()
    assert "Les dates des ateliers sont enregistrées" in html
    assert "7 jours seulement" in html
    assert concertation.workshops.filter(starts_at__isnull=False, place="Salle des fêtes").count() == 3


def test_schedule_page_refuses_out_of_order_dates_without_saving(client, facilitator, concertation):
    client.force_login(facilitator)
    url = reverse("workshops:schedule", args=[concertation.pk])
    response = client.post(url, form_data(concertation, [20, 0, 30]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "ne respectent pas l'ordre de la méthode ; rien n'a été enregistré" in html
    assert not concertation.workshops.filter(starts_at__isnull=False).exists()


def test_a_date_without_time_is_a_field_error(client, facilitator, concertation):
    client.force_login(facilitator)
    data = form_data(concertation, [0, None, None])
    first = concertation.workshops.get(order=1)
    data[f"w{first.pk}_time"] = ""
    response = client.post(reverse("workshops:schedule", args=[concertation.pk]), data)
    assert "Indiquez l&#x27;heure de début" in response.content.decode()


def test_a_database_refusal_becomes_a_french_message(client, facilitator, concertation, monkeypatch):
    from workshops import scheduling, views

    def refuse(*, slots):
        raise scheduling.ScheduleError("workshop_schedule_order")

    monkeypatch.setattr(views, "schedule_save", refuse)
    client.force_login(facilitator)
    response = client.post(reverse("workshops:schedule", args=[concertation.pk]),
                           form_data(concertation, [0, 21, 35]))
    assert response.status_code == 200
    assert "La base de données a refusé ces dates" in response.content.decode()


def test_a_finished_workshop_keeps_its_date(client, facilitator, concertation):
    done = concertation.workshops.get(order=1)
    done.starts_at = START
    done.status = Workshop.Status.DONE
    done.save()
    client.force_login(facilitator)
    data = form_data(concertation, [5, 21, 35])
    client.post(reverse("workshops:schedule", args=[concertation.pk]), data)
    done.refresh_from_db()
    assert done.starts_at == START
