"""\"You said, we did\" pages: `/updates` (the updates, and a new one for a theme),
`/updates/{id}` (its texts per language and register with the lint, encoding, segments and
cost shown as the coordinator types, through htmx; missing texts; a preview per channel;
send; delivery counts) and `/updates/{id}/check` (the htmx fragment). Coordinators only."""

from __future__ import annotations

from starlette.responses import HTMLResponse, Response

from bot.terms import REGISTERS
from bot.updates.compose import check, missing_texts
from bot.workspace.updates_api import _register, catalogue_for
from bot.workspace.web import PageContext, page

REGISTER_LABELS = {"standard": "Standard", "easy": "Easy read"}


def _update_id(ctx: PageContext) -> int | None:
    raw = ctx.request.path_params.get("update_id", "")
    return int(raw) if str(raw).isdigit() else None


@page("coordinator")
def updates_page(ctx: PageContext) -> Response:
    error = ""
    with ctx.unit_of_work() as uow:
        if ctx.form is not None:
            theme = ctx.field("theme_id")
            title = ctx.field("title")
            if not theme.isdigit() or uow.themes.get(int(theme)) is None:
                error = "Choose a theme."
            elif not title.strip():
                error = "Give the update a title."
            else:
                update = uow.updates.create(int(theme), title, ctx.user.email, ctx.now())
                uow.commit()
                return ctx.redirect(f"/updates/{update.update_id}")
        themes = {t.theme_id: t.name for t in uow.themes.all()}
        updates = uow.updates.all()
    return ctx.render(
        "updates.html", title="You said, we did", updates=updates, themes=themes, error=error,
        status_code=422 if error else 200,
    )


@page("coordinator")
def update_page(ctx: PageContext) -> Response:
    update_id = _update_id(ctx)
    catalogue = catalogue_for(ctx.ws)
    notice = ""
    with ctx.unit_of_work() as uow:
        update = uow.updates.get(update_id) if update_id is not None else None
        if update is None:
            return ctx.render("not_found.html", status_code=404, title="Not found")
        if ctx.form is not None:
            action = ctx.field("action")
            if action == "save":
                for code in catalogue.languages:
                    for register in REGISTERS:
                        name = f"text_{code}_{register}"
                        if ctx.form.get(name) is not None:
                            uow.updates.set_text(
                                update.update_id, code, register, ctx.field(name)[:1600],
                                ctx.now(),
                            )
                uow.commit()
                return ctx.redirect(f"/updates/{update.update_id}?saved=1")
            if action == "send":
                if not update.texts:
                    notice = "Write at least one text before sending."
                else:
                    uow.updates.request_send(update.update_id, ctx.now())
                    uow.commit()
                    return ctx.redirect(f"/updates/{update.update_id}?sending=1")
            update = uow.updates.get(update.update_id)
            assert update is not None
        theme = uow.themes.get(update.theme_id)
        audience = uow.updates.audience_counts(update.theme_id)
        delivery = uow.updates.delivery(update.update_id)
    price = ctx.ws.settings.sms_segment_price
    checks = {
        key: check(text, key[0], _register(key[1]), catalogue, price)
        for key, text in update.texts.items()
    }
    params = ctx.request.query_params
    if "saved" in params:
        notice = "Saved."
    elif "sending" in params:
        notice = "Sending: the counts below fill in as messages go out."
    return ctx.render(
        "update.html",
        title=f"Update: {update.title}",
        update=update,
        theme=theme,
        languages=[(code, info.english_name, info.direction) for code, info in
                   catalogue.languages.items()],
        registers=REGISTER_LABELS,
        checks=checks,
        audience=audience,
        people=sum(a.people for a in audience),
        missing=missing_texts(update.texts, audience),
        delivery=delivery,
        currency=ctx.ws.settings.sms_price_currency,
        notice=notice,
    )


@page("coordinator")
def update_check(ctx: PageContext) -> Response:
    """The htmx fragment under one text box: `language`, `register` and the box's text."""
    catalogue = catalogue_for(ctx.ws)
    language, register = ctx.field("language"), ctx.field("register")
    if language not in catalogue.languages or register not in REGISTERS:
        return HTMLResponse("<p class=\"error\">Unknown language or register.</p>", 422)
    text = ctx.field(f"text_{language}_{register}")[:1600]
    price = ctx.ws.settings.sms_segment_price
    checked = check(text, language, _register(register), catalogue, price)
    return ctx.render(
        "_update_check.html", c=checked if text.strip() else None,
        currency=ctx.ws.settings.sms_price_currency,
    )
