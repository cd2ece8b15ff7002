.PHONY: test demo lint bench sdk
# The README's two commands.
test:
	scripts/test
demo:
	scripts/demo
lint:
	scripts/bootstrap && .venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy
bench:
	scripts/bench
sdk:
	scripts/sdk
