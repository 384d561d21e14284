# The two commands README.md opens with, and a few longer runs.
.PHONY: run test screenshots fuzz soak
run:
	./setup.sh
	.venv/bin/attune serve

test:
	./setup.sh --test
	.venv/bin/python -m pytest -q -p no:cacheprovider

# Refresh the screenshots README shows (the Chromium end-to-end test writes them here only when asked).
screenshots:
	./setup.sh --test
	SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots .venv/bin/python -m pytest -q -p no:cacheprovider tests/e2e

# Longer fuzzing (atheris on SDP, WAV and JSON bodies; schemathesis on the JSON API) and the soak bench.
fuzz:
	./setup.sh --test
	.venv/bin/python tests/fuzz/fuzz_sdp.py -max_total_time=$${FUZZ_SECONDS:-600}
	.venv/bin/python tests/fuzz/fuzz_wav.py -max_total_time=$${FUZZ_SECONDS:-600}
	.venv/bin/python tests/fuzz/fuzz_json.py -max_total_time=$${FUZZ_SECONDS:-600}
	ATTUNE_SCHEMATHESIS_MAX_TIME=600 ATTUNE_SCHEMATHESIS_EXAMPLES=500 .venv/bin/python -m pytest -q -p no:cacheprovider tests/fuzz/test_schemathesis.py

soak:
	./setup.sh --test
	.venv/bin/python -m attune.voice.bench.soak --calls 4 --minutes 10 --data ../shared/data/ljspeech_sample/transcripts.tsv
