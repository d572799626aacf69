"""A consultation as a coordinator writes it (bot.workspace.consult.ConsultationIn), with draft
texts in every catalogue language and both registers, that passes every check."""

from __future__ import annotations

from typing import Any

TITLE = {
    "en": ("Buses to day centres", "Buses to day centres"),
    "cy": ("Bysiau i ganolfannau dydd", "Bysiau i ganolfannau dydd"),
    "pl": ("Autobusy do centrów dziennych", "Autobusy do centrów"),
    "ur": ("ڈے سینٹر کی بسیں", "ڈے سینٹر کی بسیں"),
    "pa": ("ਡੇ ਸੈਂਟਰ ਦੀਆਂ ਬੱਸਾਂ", "ਡੇ ਸੈਂਟਰ ਦੀਆਂ ਬੱਸਾਂ"),
    "bn": ("ডে সেন্টারের বাস", "ডে সেন্টারের বাস"),
    "ar": ("حافلات المراكز النهارية", "حافلات المراكز"),
    "so": ("Basaska xarumaha maalinta", "Basaska xarumaha"),
    "ro": ("Autobuze spre centrele de zi", "Autobuze spre centre"),
}
OPEN_QUESTION = {
    "en": ("What would make the bus better for you?", "How can the bus be better?"),
    "cy": ("Beth fyddai'n gwneud y bws yn well i chi?", "Sut gall y bws fod yn well?"),
    "pl": ("Co poprawiłoby dla Ciebie autobus?", "Jak autobus może być lepszy?"),
    "ur": ("آپ کے لیے بس کو کیا بہتر بنائے گا؟", "بس کیسے بہتر ہو سکتی ہے؟"),
    "pa": ("ਤੁਹਾਡੇ ਲਈ ਬੱਸ ਨੂੰ ਕੀ ਬਿਹਤਰ ਬਣਾਵੇਗਾ?", "ਬੱਸ ਕਿਵੇਂ ਬਿਹਤਰ ਹੋ ਸਕਦੀ ਹੈ?"),
    "bn": ("কী হলে বাস আপনার জন্য ভালো হবে?", "বাস কীভাবে ভালো হতে পারে?"),
    "ar": ("ما الذي يجعل الحافلة أفضل لك؟", "كيف تصبح الحافلة أفضل؟"),
    "so": ("Maxaa basku kuugu fiicnaan lahaa?", "Sidee basku u fiicnaan karaa?"),
    "ro": ("Ce ar face autobuzul mai bun pentru tine?", "Cum poate fi autobuzul mai bun?"),
}
CHOICE_QUESTION = {
    "en": ("How do you get to the centre?", "How do you get there?"),
    "cy": ("Sut ydych chi'n cyrraedd y ganolfan?", "Sut ydych chi'n cyrraedd?"),
    "pl": ("Jak dojeżdżasz do centrum?", "Jak tam dojeżdżasz?"),
    "ur": ("آپ سینٹر کیسے پہنچتے ہیں؟", "آپ وہاں کیسے جاتے ہیں؟"),
    "pa": ("ਤੁਸੀਂ ਸੈਂਟਰ ਕਿਵੇਂ ਪਹੁੰਚਦੇ ਹੋ?", "ਤੁਸੀਂ ਉੱਥੇ ਕਿਵੇਂ ਜਾਂਦੇ ਹੋ?"),
    "bn": ("আপনি কীভাবে সেন্টারে যান?", "আপনি কীভাবে সেখানে যান?"),
    "ar": ("كيف تصل إلى المركز؟", "كيف تذهب إلى هناك؟"),
    "so": ("Sidee ku timaadaa xarunta?", "Sidee halkaas u tagtaa?"),
    "ro": ("Cum ajungi la centru?", "Cum ajungi acolo?"),
}
BUS = {
    "en": "Bus", "cy": "Bws", "pl": "Autobus", "ur": "بس", "pa": "ਬੱਸ", "bn": "বাস",
    "ar": "حافلة", "so": "Bas", "ro": "Autobuz",
}
TAXI = {
    "en": "Taxi", "cy": "Tacsi", "pl": "Taksówka", "ur": "ٹیکسی", "pa": "ਟੈਕਸੀ", "bn": "ট্যাক্সি",
    "ar": "سيارة أجرة", "so": "Tagsi", "ro": "Taxi",
}


def _texts(table: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    return {code: {"standard": s, "easy": e} for code, (s, e) in table.items()}


def _labels(table: dict[str, str]) -> dict[str, dict[str, str]]:
    return {code: {"standard": t, "easy": t} for code, t in table.items()}


def buses(keyword: str = "buses", **extra: Any) -> dict[str, Any]:
    """The API body of a good consultation: an open question, then a choice question."""
    return {
        "keyword": keyword,
        "title": _texts(TITLE),
        "questions": [
            {"kind": "open", "text": _texts(OPEN_QUESTION)},
            {
                "kind": "choice",
                "text": _texts(CHOICE_QUESTION),
                "choices": [
                    {"value": "bus", "text": _labels(BUS)},
                    {"value": "taxi", "text": _labels(TAXI)},
                ],
            },
        ],
        **extra,
    }
