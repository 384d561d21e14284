"""The bench's WER counts recognition errors, not formatting: "six" and "6" are the same word."""
from attune.voice.bench.latency import wer


def test_digits_and_number_words_score_alike():
    assert wer([("I gave it six out of ten", "I gave it 6 out of 10.")]) == 0.0
    assert wer([("in fourteen eighty five", "In 1485,")]) == 0.0
    assert wer([("twenty three", "23")]) == 0.0


def test_real_errors_still_count():
    assert wer([("I gave it six out of ten", "I gave it seven out of ten")]) == 1 / 7
    assert wer([("the block books", "the black box")]) == 2 / 3
