.PHONY: run test setup bench bench-job lint
# One command to set up and run the app; one to set up and run the tests.
run:
	scripts/run.sh

test:
	scripts/test.sh

setup:
	scripts/setup.sh

bench: setup
	.venv/bin/python manage.py bench_render

# The whole job (make_video, script to validated master) per stage, against x264 alone.
bench-job: setup
	.venv/bin/python manage.py bench_job

# The checks scripts/test.sh runs before the tests, alone.
lint:
	.venv/bin/lint-imports && .venv/bin/ruff format --check . && .venv/bin/ruff check . && .venv/bin/mypy
