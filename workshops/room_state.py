"""The facts a tablet's 2-second poll compares, kept a moment in each server process.

Every tablet of a room asks the same question every 2 s: has the facilitator changed the
screen? A room's state is read at most once per half second per process, and which workshop and
participant a place holds at most every ten seconds, instead of one query per poll. A state
change made in this process is seen at once (``forget``); one made in another process, within
half a second, on top of the 2-second poll. Nothing is decided from here but whether to answer
304: every screen and every submission reads the database.
"""

from time import monotonic

WORKSHOP_SECONDS = 0.5
PLACE_SECONDS = 10.0
MAX_PLACES = 50_000

_workshops: dict[int, tuple[float, tuple]] = {}
_places: dict[str, tuple[float, tuple]] = {}


def recall(token: str) -> tuple | None:
    """The poll's row for this place (see ``TabletState.FIELDS``), if this process read it
    lately; None otherwise."""
    now = monotonic()
    place = _places.get(token)
    if place is None or place[0] < now:
        return None
    attendance_id, workshop_id, participant_id = place[1]
    room = _workshops.get(workshop_id)
    if room is None or room[0] < now:
        return None
    state_version, status, sequence_id, pole = room[1]
    return attendance_id, workshop_id, state_version, status, participant_id, sequence_id, pole


def remember(token: str, row: tuple) -> None:
    attendance_id, workshop_id, state_version, status, participant_id, sequence_id, pole = row
    now = monotonic()
    if participant_id is not None:  # a walk-in waiting to be admitted is read every time
        if len(_places) >= MAX_PLACES:
            _places.clear()
        _places[token] = (now + PLACE_SECONDS, (attendance_id, workshop_id, participant_id))
    _workshops[workshop_id] = (now + WORKSHOP_SECONDS, (state_version, status, sequence_id, pole))


def forget(workshop_id: int) -> None:
    """The room's state just changed in this process."""
    _workshops.pop(workshop_id, None)
