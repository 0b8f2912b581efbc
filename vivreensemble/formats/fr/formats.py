"""French hours as written on French letters and posters: « 14h00 », not Django's « 14:00 ».
Everything else falls back to Django's French formats; English keeps Django's « 2 p.m. »."""

TIME_FORMAT = r"H\hi"
