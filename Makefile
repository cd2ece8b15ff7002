.PHONY: test demo lint bench bench-pipelines sdk
# The README's two commands.
test:
	scripts/test
demo:
	scripts/demo
lint:
	scripts/bootstrap && .venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy
bench:
	scripts/bench
# Only the concurrent-pipeline scenario of the bench (about 12 minutes).
bench-pipelines:
	scripts/bench --sizes '' --scale '' --slow '' --pipelines 1,2,4
sdk:
	scripts/sdk
