"""The msgids are French; the fr catalogues only carry French plural rules (0 and 1 are singular:
« 0 point », « 1 participant·e ») and identical texts, so gettext never falls back to the
English rule. Run by `make messages` after makemessages."""

import glob

import polib

for path in glob.glob("**/locale/fr/LC_MESSAGES/django.po", recursive=True):
    if ".venv" in path:
        continue
    catalogue = polib.pofile(path)
    catalogue.metadata["Plural-Forms"] = "nplurals=2; plural=(n > 1);"
    catalogue.metadata["Language"] = "fr"
    for entry in catalogue:
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
    catalogue.save()
