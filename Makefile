# Keyline. `make run` installs and starts the app on the embedded default; `make test` runs every test
# (and the non-browser ones a second time through PgBouncer, as a deployment behind a pooler runs).
.PHONY: run test lint deploy-check bench audit bandit

PY := .venv/bin/python
PROD_ENV := DEBUG=false SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-enough-secret-key-value-0123456789 \
            ALLOWED_HOSTS=keyline.example.com DATABASE_URL=postgres://postgres@127.0.0.1:5432/keyline

run:
	@scripts/setup.sh
	$(PY) -m config.launch

test:
	@scripts/setup.sh --dev
	@scripts/services.sh
	$(MAKE) --no-print-directory lint deploy-check bandit
	$(PY) -m pytest --create-db -p no:cacheprovider -n 2 -m "not isolated"
	$(PY) -m pytest --create-db -p no:cacheprovider -m isolated
	scripts/pgbouncer_suite.sh  # the database tests again, through PgBouncer in transaction mode

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy

deploy-check:
	$(PROD_ENV) $(PY) manage.py check --deploy --fail-level WARNING

bandit:
	.venv/bin/bandit -q -r core accounts stakeholders planning health reports config capture listening stewardship feeds workflow audit identity -x '*/migrations/*' -ll

bench:
	@scripts/services.sh
	for script in bench/bench_*.py; do $(PY) $$script || exit 1; done

# Needs a runner that can reach the vulnerability database.
audit:
	uv export --frozen --no-hashes --format requirements-txt > var/requirements-audit.txt
	uvx pip-audit --strict -r var/requirements-audit.txt
