#!/bin/sh
# Stand-in for Prisma's native schema-engine binary (prisma.config.ts points
# PRISMA_SCHEMA_ENGINE_BINARY here). The native binary is downloaded from
# binaries.prisma.sh, which this environment cannot reach; without a stub,
# `prisma generate` and `prisma db seed` die trying. With it they run, and
# commands that truly need the native engine (`prisma migrate *`, `db push`,
# `db pull`, `db execute`) fail loudly instead of pretending to succeed.
echo "The native Prisma schema engine is not available here. Use the Wasm engine:" >&2
echo "  npm run db:migrate -- --name <name> | db:deploy | db:status | db:reset | db:check" >&2
echo "(scripts/db/migrate.ts; see docs/database.md)." >&2
exit 1
