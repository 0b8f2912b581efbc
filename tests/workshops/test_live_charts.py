"""The SVG charts shared by the projector and the workshop report: every figure is also in words."""

from workshops import charts


def test_word_cloud_groups_words_biggest_first_and_escapes_text():
    weights = charts.word_weights(["Respect", "respect ", "écoute", "<b>accueil</b>", ""])
    assert weights == [("Respect", 2), ("<b>accueil</b>", 1), ("écoute", 1)]
    svg = charts.word_cloud_svg(weights, title="Relation idéale", tone="ideal")
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title" in svg and "Relation idéale" in svg
    assert "Respect (2 fois); &lt;b&gt;accueil&lt;/b&gt;; écoute" in svg
    assert "<b>" not in svg
    assert 'font-weight="700" fill="#000091">Respect<' in svg


def test_empty_cloud_says_so():
    svg = charts.word_cloud_svg([], title="Relation chaotique", tone="chaotic")
    assert svg.count("Aucune contribution pour l&#x27;instant.") == 2  # desc and visible text


def test_position_distribution_states_counts_and_median():
    svg = charts.position_distribution_svg([3, 5, 6, 6, 8, 9], title="Se positionner")
    assert "6 positionnements. Médiane : 6 sur 10." in svg
    assert "2 personnes à 6" in svg and "1 personne à 9" in svg
    assert "médiane : 6" in svg
    assert charts.median([4, 5]) == 4.5
    assert charts.format_number(4.5) == "4,5"
    assert "Aucun positionnement" in charts.position_distribution_svg([], title="Vide")


def test_vote_bars_wrap_long_labels_and_write_points():
    long_label = "Prendre plus de temps pour accompagner l'usager dans ses démarches en ligne"
    svg = charts.vote_bars_svg([(long_label, 7), ("Politesse", 1)], title="Propositions")
    assert f"{long_label} : 7 points; Politesse : 1 point" in svg.replace("&#x27;", "'")
    assert svg.count("<rect") == 2
    assert ">7</text>" in svg
