"""The coordinators' workspace: server-rendered pages and a JSON API under `/api`, served by the
same ASGI app as the webhooks (bot.app). Accounts and roles in `accounts` and `auth`, pages in
`pages` (and one module per area), the API in `api`. docs/DESIGN.md, "Workspace", says how to
add a page or an API route."""
