# The two commands README.md opens with.
.PHONY: run test
run:
	./setup.sh
	.venv/bin/attune serve

test:
	./setup.sh --test
	.venv/bin/python -m pytest -q -p no:cacheprovider
