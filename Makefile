# The two commands README.md opens with, and a few longer runs.
.PHONY: run test screenshots fuzz soak
run:
	./setup.sh
	.venv/bin/attune serve

# Two pytest-xdist workers: most of the suite's wall time is real-time audio, calls and subprocesses
# waiting, so the CPU-bound rest runs beside it. tests/conftest.py puts every test in an xdist group
# (the real-time ones all in one, run one after another); --no-loadscope-reorder hands the groups out
# in collection order (e2e and fuzz first) rather than by test count, which would leave the long
# one-test files (soak, schemathesis, ESConv replay) for the end.
test:
	./setup.sh --test
	.venv/bin/python -m pytest -q -p no:cacheprovider -n 2 --dist loadgroup --no-loadscope-reorder

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
