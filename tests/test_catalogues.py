"""The English catalogues: every French string has its translation, none is a fuzzy guess, the
placeholders match, and the compiled catalogues the app reads are the ones in the sources."""

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = sorted(
    path for path in ROOT.glob("**/locale/en/LC_MESSAGES/django.po") if ".venv" not in path.parts
)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def test_there_is_an_english_catalogue_for_the_project_and_each_app():
    owners = {path.relative_to(ROOT).parts[0] for path in CATALOGUES}
    assert owners == {"locale", "panels", "posters", "workshops"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_string_is_translated_with_the_same_placeholders(path):
    catalogue = polib.pofile(str(path))
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    for entry in catalogue.translated_entries():
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        known = set(PLACEHOLDER.findall(entry.msgid + entry.msgid_plural))
        for translation in translations:
            assert set(PLACEHOLDER.findall(translation)) <= known, entry.msgid


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_compiled_catalogue_is_up_to_date(path):
    sources = {(e.msgid, e.msgid_plural): e for e in polib.pofile(str(path)).translated_entries()}
    compiled = {(e.msgid, e.msgid_plural): e for e in polib.mofile(str(path.with_suffix(".mo")))}
    compiled.pop(("", ""), None)  # the header
    assert sorted(compiled) == sorted(sources)
    for key, entry in sources.items():
        got = compiled[key]
        assert (got.msgstr_plural if entry.msgid_plural else got.msgstr) == (
            entry.msgstr_plural if entry.msgid_plural else entry.msgstr
        ), key
