"""Ordinary messages that share words with the shipped safeguarding patterns get no finding
from the keyword net: a walking stick is not a weapon, medicine put away from grandchildren is
not hoarding, a teenager kept in for the evening is not coercive control."""

from __future__ import annotations

import pytest

from bot.nlu.keywords import default_matcher

# (language, an ordinary message that shares words with a pattern of that language)
ORDINARY = [
    ("en", "the carer makes sure i take all my tablets"),
    ("en", "my feet are killing me after the walk to the centre"),
    ("en", "my son pushes me to the shops in my wheelchair"),
    ("en", "the hospital wont let me leave until the doctor sees me"),
    ("en", "my son wont let me go out in the snow"),
    ("en", "my mum wont let me see my friends this weekend"),
    ("en", "i was trying to get in touch with the council now"),
    ("en", "hes got a bat for cricket on saturday"),
    ("en", "the carer leaves me a drink and my tablets"),
    ("en", "my mum comes into my room to wake me for school"),
    ("en", "im scared to go home in the dark"),
    ("en", "im tired of life in this damp flat"),
    ("en", "ive been saving up for tablets for the kids"),
    ("en", "everyone would be fine if i was gone for a week"),
    ("en", "the kids were on the roof and wanted to jump on the trampoline"),
    ("cy", "dwi'n cymryd fy nhabledi i gyd efo brecwast"),
    ("cy", "mae fy ngŵr yn bwyta gyda chyllell a fforc"),
    ("cy", "mae'r pigiad yn mynd i fy mrifo"),
    ("cy", "well i chi fynd hebddo i heddiw"),
    ("pl", "tata chodzi z kijem od operacji"),
    ("pl", "mama nie pozwala mi wyjść na imprezę"),
    ("pl", "chowam leki przed wnukami"),
    ("pl", "odkładam tabletki na półkę po śniadaniu"),
    ("pl", "mój tata czyta wiadomości codziennie"),
    ("pl", "nie mogę żyć bez kawy"),
    ("pl", "nie widzę sensu w tym projekcie"),
    ("ro", "tot mă ard la mână când gătesc"),
    ("ro", "mama nu mă lasă să merg la petrecere"),
    ("ro", "țin medicamentele ascunse de nepoți"),
    ("ro", "nu am voie să am telefon la serviciu"),
    ("ro", "fiul meu îmi ia telefonul să se joace"),
    ("ro", "a venit cu bâta de baseball la antrenament"),
    ("ro", "fiul meu îmi citește mesajele, nu mai văd bine"),
    ("pl", "syn czyta moje wiadomości, bo słabo widzę"),
    ("ar", "ابني بيقرا رسايلي لاني ما بشوف منيح"),
    ("ur", "بیٹا میرے میسج پڑھتا ہے کیونکہ مجھے نظر نہیں آتا"),
    ("ur", "ابو کمرے میں لائٹ بند کر دیتا ہے"),
    ("ar", "جرحت ايدي بالسكين وانا عم اطبخ"),
    ("ur", "چھت پر بچے کود رہے ہیں"),
    ("pa", "ਪੁੱਤ ਬੈਂਕ ਤੋਂ ਪੈਸੇ ਲੈ ਲੈਂਦਾ ਮੇਰੇ ਲਈ"),
    ("pa", "ਉਹ ਰਿਕਾਰਡ ਤੋੜਨ ਦੀ ਕੋਸ਼ਿਸ਼ ਕਰ ਰਿਹਾ"),
    ("bn", "ছেলে ব্যাংক থেকে টাকা নিয়ে নেয় আমার জন্য"),
    ("bn", "sob shesh kore bhalo laglo"),
    ("bn", "রান্না করতে গিয়ে নিজের হাত কেটেছি"),
]


@pytest.mark.parametrize(("language", "text"), ORDINARY)
def test_ordinary_wording_near_a_pattern_is_no_finding(language: str, text: str) -> None:
    matcher = default_matcher()
    assert (matcher.match(text), matcher.match_pattern(text)) == (None, None), language
