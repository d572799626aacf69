"""Safeguarding keywords: a second net beside the intent classifier.

A message that mentions risk to the person's own life or harm from someone else must reach
the safeguarding path even when the classifier misses it, so these lists prefer recall to
precision: a false alarm costs one extra message with help lines; a miss can cost far more.

Matching is on folded text (`bot.nlu.normalise.fold`: lower-case, no Latin diacritics, no
punctuation, apostrophes dropped) with Arabic-script letter variants unified, whole words
only. A phrase ending in `*` matches any word that starts with it ("suicid*" matches
"suicidal"). A phrase ending in `$` matches only at the end of the message: short indirect
phrases ("nie ma sensu", "cant go on") are a warning sign when they are what the person ends
on, and ordinary words when a sentence carries on ("nie ma sensu czekać", "cant go on the
trips"). Romanised Urdu, Punjabi, Bengali and Arabic are listed beside the native script.
Each language's list is one text of `;`-separated phrases. Every phrase is checked against the
benign consultation answers in `bench/data/benign-answers.yml` (tests/nlu/test_keywords.py):
a phrase that fires on an ordinary view about services is narrowed, not kept "to be safe".
`risk_to_self` is checked first: when both match, the person's own safety comes first.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.nlu.normalise import fold

RISK_TO_SELF = "risk_to_self"
HARM_FROM_OTHERS = "harm_from_others"

_RISK: dict[str, str] = {
    "en": """
        kill myself; killing myself; kill my self; kms; end my life; end it all; ending it all; want
        to end it; going to end it; take my own life; take my life; want to die; wanna die; want to
        be dead; wish i was dead; wish i were dead; better off dead; suicid*; hurt myself; hurting
        myself; harm myself; harming myself; self harm*; selfharm*; cut myself; cutting myself;
        overdos*; no reason to live; no point living; no point in living; dont want to live; dont
        want to be alive; dont want to be here anymore; cant go on$; cant go on anymore; cant go on
        like this; hang myself; end myself; not worth living; jump off a bridge; no way out$; no way
        out for me; nothing to live for; no reason to keep going; no reason to go on; better if i
        wasnt here; better if i wasnt around; better off without me; better without me; cant take it
        anymore; cant do this anymore
    """,
    "cy": """
        lladd fy hun; ladd fy hun; eisiau marw; isio marw; moyn marw; am farw; hunanladd*; brifo fy
        hun; frifo fy hun; niweidio fy hun; anafu fy hun; dim pwynt byw; ddim eisiau byw; ddim isio
        byw; torri fy hun; hunan niweidio; rhoi diwedd ar fy mywyd; diwedd ar y cyfan; ddim werth
        byw; bywyd ddim werth
    """,
    "pl": """
        zabic sie; zabije sie; sie zabic; sie zabije; sie zabilem; sie zabilam; sobie cos zrobie;
        sie powiesic; zabic siebie; chce umrzec; chce zginac; nie chce zyc; samobojst*; samobojcz*;
        odebrac sobie zycie; skoncze ze soba; skonczyc ze soba; zrobie sobie krzywde; zrobic sobie
        krzywde; okaleczam sie; okaleczac sie; tne sie; powiesic sie; powiesze sie; nie ma sensu
        zyc; chcialbym umrzec; chcialabym umrzec; zrobie sobie cos; nie ma sensu$; juz nie ma sensu
    """,
    "ro": """
        sa ma omor; ma omor; sa ma sinucid; ma sinucid; sinucid*; vreau sa mor; imi iau viata; sa mi
        iau viata; nu mai vreau sa traiesc; ma ranesc; imi fac rau; ma tai; sa termin cu tot; nu mai
        are rost sa traiesc; vreau sa dispar
    """,
    "so": """
        is dilo; isdilo; is dili; is dilayaa; waan is dilayaa; inaan dhinto; doonayaa inaan dhinto;
        rabaa inaan dhinto; is dhaawac*; nafteyda dilo; naftayda dilo; noloshayda joojiyo; rajo ma
        hayo; rajo ma qabo; rajo la aan; jirkayga waxyeel*; naftayda waxyeel*; jirkayga ayaan
        waxyeel*; naftayda ayaan waxyeel*; is waxyeel*
    """,
    "ur": """
        خودکشی; خود کشی; مرنا چاہتا; مرنا چاہتی; مر جانا چاہتا; مر جانا چاہتی; اپنے آپ کو مار; خود
        کو مار; اپنی جان لے; جینا نہیں چاہتا; جینا نہیں چاہتی; خود کو نقصان; اپنے آپ کو نقصان;
        khudkushi; khud kushi; khudkashi; khud kashi; marna chahta; marna chahti; mar jana chahta;
        mar jana chahti; khud ko maar; khud ko mar; apni jaan le*; jeena nahi chahta; jeena nahi
        chahti; jina nahi chahta; jina nahi chahti; khud ko nuqsan; apne aap ko maar; apne aap ko
        nuqsan; jeene ka dil nahi; jeene ko dil nahi; zindagi ka koi faida nahi; zindagi se tang
    """,
    "pa": """
        ਖੁਦਕੁਸ਼ੀ; ਖ਼ੁਦਕੁਸ਼ੀ; ਆਤਮਹੱਤਿਆ; ਮਰਨਾ ਚਾਹੁੰਦਾ; ਮਰਨਾ ਚਾਹੁੰਦੀ; ਆਪਣੇ ਆਪ ਨੂੰ ਮਾਰ; ਜੀਣਾ ਨਹੀਂ
        ਚਾਹੁੰਦਾ; ਜੀਣਾ ਨਹੀਂ ਚਾਹੁੰਦੀ; ਆਪਣੇ ਆਪ ਨੂੰ ਨੁਕਸਾਨ; marna chahunda; marna chahundi; marna
        chaunda; marna chaundi; apne aap nu maar; aapne aap nu maar; jeena nahi chahunda; jeena nahi
        chahundi; jina nahi chaunda; jina nahi chaundi; atamhatya; jeen nu dil nahi; jeena nu dil
        nahi; zindagi da koi faida nahi; ਜ਼ਿੰਦਗੀ ਦਾ ਕੋਈ ਫ਼ਾਇਦਾ ਨਹੀਂ; ਜੀਣ ਦਾ ਕੋਈ ਫ਼ਾਇਦਾ ਨਹੀਂ; jeen da
        koi faida nahi; jeena da koi faida nahi
    """,
    "bn": """
        আত্মহত্যা; মরে যেতে চাই; মরতে চাই; নিজেকে মেরে ফেল*; বাঁচতে চাই না; নিজের ক্ষতি; নিজেকে
        আঘাত; নিজেকে শেষ; attohotta; atmohotta; atmahatya; attohatya; more jete chai; morte chai;
        nijeke mere fel*; bachte chai na; banchte chai na; nijer khoti; nijeke sesh; miss korbe na;
        keu miss korbe na; কেউ মিস করবে না; অনেক ওষুধ খেয়ে; অনেকগুলো ওষুধ খেয়ে; onek oshudh kheye;
        onekgulo oshudh kheye
    """,
    "ar": """
        انتحار; انتحر*; أقتل نفسي; أريد أن أموت; أريد الموت; أؤذي نفسي; أنهي حياتي; لا أريد العيش;
        لا أريد أن أعيش; بدي موت; بدي اموت; نفسي أموت; intihar; entehar; aqtul nafsi; a2tol nafsi;
        oktol nafsi; ureed an amoot; areed amoot; bidi moot; baddi moot; bidi mout; ya reit mut; ya
        ret amoot; يا ريت اموت; يا ريت موت; خايف من حالي; خايفة من حالي; khayef men 7ali; ma 3ad
        fini kammel; ma 3ad fiyi kammel; ما عاد فيني كمل
    """,
}

_HARM: dict[str, str] = {
    "en": """
        hits me; hit me; hitting me; beats me; beat me; beating me; been beaten; was beaten; got
        beaten; beaten up by; he hurts me; she hurts me; they hurt me; he hurt me; she hurt me; hurt
        me again; hurting me; harming me; abuse*; abusing; abusive; im not safe; i am not safe; not
        safe at home; not safe here; not safe with; unsafe at home; feel unsafe; dont feel safe;
        scared of him; scared of her; scared of them; afraid of him; afraid of her; afraid of them;
        frightened of him; frightened of her; terrified of him; terrified of her; threatens me;
        threatened me; threatening me; kicks me; kicked me; punches me; punched me; slaps me;
        slapped me; rape*; raped; sexually assaulted; assaulted me; touches me; touched me; takes my
        money; took my money; controls my money; locks me in; locked me in; wont let me leave;
        domestic violence; gets violent; is violent; violent to me; violent towards me; strangled;
        chokes me; choked me; forces me; forced me; grooming me; groomed me; groomed by; exploiting
        me; exploited me; exploited by; neglecting me; neglects me; neglected by my; neglect me;
        shouts at me; screams at me; locks the fridge; doesnt give me my tablets; doesnt give me my
        medicine; wont give me my medicine; wont give me my tablets; wont let me eat; dont let me
        eat; doesnt let me eat
    """,
    "cy": """
        fy nharo; taro fi; yn fy nharo; cam drin; gam drin; camdrin; gamdrin; camdriniaeth;
        gamdriniaeth; ddim yn ddiogel; dim yn ddiogel; ofn arna i; ofn arnaf; ofn e; ofn o; ofn hi;
        bygwth*; trais; fy mrifo; brifo fi; curo fi; yn fy nghuro; fy nghuro; fy lladd
    """,
    "pl": """
        bije mnie; mnie bije; mnie bil; mnie pobil; mnie uderzyl; bil mnie; bila mnie; pobil mnie;
        uderzyl mnie; uderza mnie; krzywdzi mnie; skrzywdzil*; przemoc*; boje sie go; boje sie jej;
        boje sie ich; boje sie meza; boje sie partnera; nie jestem bezpieczn*; nie czuje sie
        bezpiecznie; grozi mi; grozil mi; zneca sie; znecanie; molest*; zgwalcil*; gwalt*;
        wykorzystuje mnie; kopie mnie; szarpie mnie; zabiera mi pieniadze; zamyka mnie; zabije mnie;
        mnie zabije; grozi ze mnie; nie daje mi lekow; nie daje mi jedzenia; zabiera mi leki
    """,
    "ro": """
        ma bate; m a batut; ma loveste; m a lovit; abuz*; nu sunt in siguranta; nu ma simt in
        siguranta; mi e frica de el; mi e frica de ea; mi frica de el; ma ameninta; m a amenintat;
        violent*; viol; violat; violata; m a violat; ma agreseaza; agresat*; ma raneste; imi ia
        banii; ma inchide; nu mi da medicamentele; nu imi da medicamentele; nu mi da de mancare; nu
        imi da de mancare
    """,
    "so": """
        i garaaca; i garaacaa; i garaacay; i garaacda; i dila; xadgudub*; ammaan ma ihi; ammaan ma
        ahi; nabad ma qabo; badbaado ma haysto; ka baqayaa isaga; ka baqayaa ninkayga; ka baqayaa
        inaan guriga; ka baqayaa inuu; ka cabsanayaa isaga; ka cabsanayaa ninkayga; ka cabsanayaa
        inaan guriga; ka cabsanayaa inuu; i handada; i handadaa; kufsi*; i kufsaday; tacadi;
        tacaddi; i dhibaa; i jirdilay; jirdil*; waan ku dilayaa; ku dili doonaa; i dili doonaa;
        dhibaya
    """,
    "ur": """
        مجھے مارتا; مجھے مارتی; مجھے مارتے; مجھے مارا; مجھے پیٹتا; مجھے پیٹتی; تشدد; ڈر لگتا; محفوظ
        نہیں; دھمکی; دھمکیاں; زیادتی; بدسلوکی; مار پیٹ; mujhe marta; mujhe maarta; mujhe marti;
        mujhe maarti; mujhe mara; mujhe maara; mujhe peet*; mujhe pitta; tashaddud; tashadud; dar
        lagta; darr lagta; mehfooz nahi; mahfooz nahi; mehfuz nahi; dhamki*; zyadti; ziyadti;
        badsulooki; maar peet; mar peet; mujhe darata; mujhe dhamkata; khana nahi dete; khana nahi
        deta; khana nahi deti
    """,
    "pa": """
        ਮੈਨੂੰ ਮਾਰਦਾ; ਮੈਨੂੰ ਮਾਰਦੀ; ਮੈਨੂੰ ਕੁੱਟਦਾ; ਮੈਨੂੰ ਕੁੱਟਦੀ; ਕੁੱਟਦਾ; ਡਰ ਲੱਗਦਾ; ਡਰ ਲਗਦਾ; ਸੁਰੱਖਿਅਤ
        ਨਹੀਂ; ਧਮਕੀ; ਹਿੰਸਾ; ਦੁਰਵਿਹਾਰ; ਕੁੱਟਮਾਰ; mainu marda; mainu maarda; mainu mardi; mainu kutda;
        mainu kuttda; kutt da; kuttda; dar lagda; darr lagda; surakhit nahi; surakhiat nahi;
        dhamki*; kuttmaar; kutt maar
    """,
    "bn": """
        আমাকে মারে; আমাকে মারধর; মারধর; নির্যাতন; যেতে ভয়; ওকে ভয়; তাকে ভয়; স্বামীকে ভয়; ছেলেকে
        ভয়; নিরাপদ না; নিরাপদ নই; নিরাপদ নয়; হুমকি; নিপীড়ন; আমাকে মারছে; amake mare; amake maare;
        amake marche; mardhor; maardhor; nirjaton; nirjatan; jete bhoy; jete voy; oke bhoy; oke voy;
        take bhoy; take voy; shamike bhoy; nirapod na; nirapod noi; nirapod noy; humki; মেরে ফেলবে;
        mere felbe; mere fhelbe
    """,
    "ar": """
        يضربني; بيضربني; ضربني; يؤذيني; يعنفني; عنف; إساءة; لست بأمان; لست في أمان; مش آمن; مش آمنة;
        خائف منه; خايف منه; خائفة منه; خايفة منه; يهددني; اغتصاب; اغتصبني; تحرش*; يتحرش بي;
        yadrubni; yedrabni; bidrabni; biyidrabni; darabni; mish amen; mesh amen; khayef meno; khayfa
        meno; khayfe meno; yhaddedni; ightisab; ta7arosh; taharosh; 3onf; عنف اسري; عنف أسري; ma
        bikhallini; ما بيخليني; ما يخليني; بيهددني; bihadedni; bihaddedni; yhadedni
    """,
}

# Arabic and Urdu write some letters differently; people mix them on phone keyboards.
_ARABIC_VARIANTS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه"}
    | {"ۀ": "ه", "ہ": "ه", "ھ": "ه", "ؤ": "و", "ئ": "ی"}
)


def normalise(text: str) -> str:
    """The form keywords and messages are compared in: folded, Arabic variants unified."""
    return fold(text).translate(_ARABIC_VARIANTS)


def _parse(block: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in " ".join(block.split()).split(";") if p.strip())


def _compile(lists: Mapping[str, str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(whole phrases as " phrase ", prefixes as " stem"), both normalised. A phrase ending
    in `$` becomes " phrase \n": `match_safeguarding` ends the message with a newline."""
    whole: set[str] = set()
    prefixes: set[str] = set()
    for block in lists.values():
        for phrase in _parse(block):
            if phrase.endswith("*"):
                prefixes.add(" " + normalise(phrase[:-1]))
            elif phrase.endswith("$"):
                whole.add(" " + normalise(phrase[:-1]) + " \n")
            else:
                whole.add(" " + normalise(phrase) + " ")
    return tuple(sorted(whole)), tuple(sorted(prefixes))


_MATCHERS: tuple[tuple[str, tuple[tuple[str, ...], tuple[str, ...]]], ...] = (
    (RISK_TO_SELF, _compile(_RISK)),
    (HARM_FROM_OTHERS, _compile(_HARM)),
)

LANGUAGES: tuple[str, ...] = tuple(sorted(_RISK))


def phrases(kind: str, language: str) -> tuple[str, ...]:
    """The listed phrases of one kind in one language (for review and tests)."""
    table = _RISK if kind == RISK_TO_SELF else _HARM if kind == HARM_FROM_OTHERS else {}
    return _parse(table.get(language, ""))


def match_safeguarding(text: str) -> str | None:
    """`risk_to_self`, `harm_from_others`, or None when no listed phrase occurs in `text`."""
    padded = f" {normalise(text)} \n"
    for kind, (whole, prefixes) in _MATCHERS:
        if any(p in padded for p in whole) or any(p in padded for p in prefixes):
            return kind
    return None
