"""Sentence splitting around abbreviations, written before the abbreviation lists.

Each case is a text and the number of sentences a careful reader counts in it. The rules:
an abbreviation that never ends a sentence (titles, "e.g.", "bijv.", "nl.") never splits; one
that can end a sentence ("a.m.", "etc.", "U.K.", "mln.", a month) splits only when the next
word starts with a capital letter; nothing splits before a lower-case word or a number that
follows a known abbreviation; a single capital letter is a name's initial, unless a word like
"size" or "maat" comes before it (then it is a label that can end a sentence).
"""

import pytest

from ambassadors.plain_language import check
from ambassadors.plain_language.segment import segment

EN_CASES = [
    # Months before a day number never split; before a capital they can end a sentence.
    ("Sign up before Jan. 15 to get a seat.", 1),
    ("The course starts on Feb. 3 in Utrecht.", 1),
    ("We moved the launch to Mar. 12 this year.", 1),
    ("Reports are due Apr. 30 at noon.", 1),
    ("The fair runs from Aug. 1 to Aug. 4.", 1),
    ("Send your ideas before Sept. 9, please.", 1),
    ("The office closes on Sep. 20 for a day.", 1),
    ("The vote is on Oct. 7 and the result on Oct. 9.", 1),
    ("Our party is on Nov. 28 at the canteen.", 1),
    ("We close between Dec. 24 and Jan. 2.", 1),
    ("The new rules start in Jan. Please read them.", 2),
    ("We meet again in Dec. The hall is booked.", 2),
    ("Our office opens at 10 a.m. Families are welcome.", 2),
    ("The talk starts at 3 p.m. Coffee is ready at two.", 2),
    ("Doors open at 9 a.m. and close at 5 p.m. every day.", 1),
    ("We start at 8 a.m. sharp.", 1),
    ("It ends at 6 p.m. Bring a friend.", 2),
    ("Meet us at 11 A.M. in the hall.", 1),
    ("The team in the U.K. Staff there start on Monday.", 2),
    ("We opened an office in the U.S. It has ten desks.", 2),
    ("The U.S. office has ten desks.", 1),
    ("Prices in the U.K. are higher.", 1),
    ("We follow the rules of the E.U. They are clear.", 2),
    ("Shirts come in size S. Fits most people.", 2),
    ("Take size M. It is a bit wider.", 2),
    ("Our plan B. We wait one week.", 2),
    ("We take vitamin C. It helps.", 2),
    ("Meet me at gate D. The plane leaves at noon.", 2),
    ("The talk is in room A. Come early.", 2),
    ("The book is by J. Smith and it is short.", 1),
    ("Our guest is John F. Kennedy from the school.", 1),
    ("J. R. Tolkien wrote the book.", 1),
    ("Thanks to A. Baker for the photos.", 1),
    # Titles never end a sentence.
    ("Mr. Jones leads the team.", 1),
    ("Mrs. Brown opens the event.", 1),
    ("Ms. Lee will talk about the plan.", 1),
    ("Dr. Patel runs the lab.", 1),
    ("Prof. Smith gives the first talk.", 1),
    ("We thank Dr. Ahmed. She made it possible.", 2),
    ("St. Louis is our next stop.", 1),
    ("Capt. Hill flies the plane.", 1),
    # Latin and list words.
    ("Bring something to eat, e.g. bread or fruit.", 1),
    ("Bring something to eat, e.g. Bread or fruit.", 1),
    ("Use one tool, i.e. the portal.", 1),
    ("Use one tool, i.e. The portal.", 1),
    ("Compare the two plans, cf. the table below.", 1),
    ("It is our team vs. their team on Friday.", 1),
    ("We sell pens, paper, etc. in the shop.", 1),
    ("We sell pens, paper, etc. The shop opens at nine.", 2),
    ("Smith et al. wrote the study.", 1),
    ("The study was by Smith et al. It is short.", 2),
    ("The room holds approx. 40 people.", 1),
    ("It costs approx. ten euro.", 1),
    ("Read No. 5 in the list.", 1),
    ("Is it fair? No. We think it is not.", 3),
    ("See fig. 2 on the next page.", 1),
    ("Read the text on p. 12 first.", 1),
    ("Read pp. 12 to 14 first.", 1),
    ("Room no. 4 is free.", 1),
    ("The list has 20 items incl. the new ones.", 1),
    ("The price is 10 euro excl. tax.", 1),
    ("We take min. three people per team.", 1),
    ("We need a max. of ten people.", 1),
    # Companies and suffixes can end a sentence.
    ("We work with Acme Inc. They make tools.", 2),
    ("We work with Acme Inc. on the new tool.", 1),
    ("The shop belongs to Jones Ltd. It is small.", 2),
    ("Ask Jones & Co. for a quote.", 1),
    ("This is Martin Luther King Jr. He spoke well.", 2),
    ("Martin Luther King Jr. gave the speech.", 1),
    # Units.
    ("The walk is 5 km. It takes an hour.", 2),
    ("The box weighs 3 kg. and fits in a car.", 1),
    ("The break is 10 min. After that we go on.", 2),
    ("The break is 10 min. long.", 1),
    ("It takes 30 sec. Try it.", 2),
    ("The desk is 4 ft. wide.", 1),
    ("The trip takes 2 hrs. Bring water.", 2),
    ("The trip takes 2 hrs. by train.", 1),
    # Ordinary sentence ends, numbers and decimals.
    ("We met. It was good.", 2),
    ("The price is 2.5 euro. That is fair.", 2),
    ("We grew 3.4 % last year.", 1),
    ("Version 2.1 is out. Try it.", 2),
    ("Come along! It is free. Bring a friend?", 3),
    ("Wait... What did you say?", 2),
    ("She said “Go.” Then she left.", 2),
    ("He left (for good). We miss him.", 2),
    ("The end is near… We are nearly done.", 2),
    ("I love it. really.", 2),
    ("We are at No. 10 Main Street.", 1),
    ("Call us on 020 123 4567. We answer fast.", 2),
    ("The score was 3-1. We won.", 2),
    ("We came 1st. Next year we try again.", 2),
    ("The meeting is at 9.30. Please be on time.", 2),
    ("The meeting is at 9.30 in room 2.", 1),
    ("He works for the U.N. in Geneva.", 1),
    ("We met Mr. and Mrs. Smith. They were kind.", 2),
    ("Our budget is $2 mn. That is enough.", 2),
    ("Our budget is $2 bn. for five years.", 1),
    ("The Ph.D. students meet on Monday.", 1),
    ("She got her Ph.D. Now she teaches.", 2),
    # Brackets and quotes after a full stop, ellipses, initials written together.
    ("We sell pens (and paper etc.) in the shop.", 1),
    ("We sell pens, paper (etc.). The shop opens at nine.", 2),
    ("He asked “why?” and left.", 1),
    ("He asked “why?” Then he left.", 2),
    ("We waited... and waited.", 1),
    ("We waited… Then the bus came.", 2),
    ("J.R.R. Tolkien wrote the book.", 1),
    ("The talk is by A.B. Jansen from our lab.", 1),
    ("I got an A. Great news!", 2),
    ("We met the C.E.O. Then we had lunch.", 2),
    ("Our C.E.O. gave a short talk.", 1),
    ("The call is at 5 p.m. CET on Friday.", 1),
    ("The call is at 5 p.m. GMT. Please join.", 2),
    ("Prices in the U.S. Are they higher?", 2),
    ("Dwayne Johnson, a.k.a. The Rock, came to visit.", 1),
    ("Sign up before Jan. 15 to get a seat. The course starts on Feb. 3 in our Utrecht office "
     "and runs for six weeks. You learn to write short, clear posts for the people you work "
     "with.", 3),
    ("Our new lab in Delft opens its doors to the public on Saturday at 10 a.m. Families can "
     "try simple experiments, meet our engineers and take a short tour of the clean room. "
     "Entry is free for everyone.", 3),
]  # fmt: skip

NL_CASES = [
    ("Het project kost 2 mln. euro en duurt een jaar.", 1),
    ("Het project kost 2 mln. Dat is veel geld.", 2),
    ("De bouw kost 1,5 mld. euro.", 1),
    ("De bouw kost 1,5 mld. We betalen het samen.", 2),
    ("Het geld komt van de buren, nl. de gemeente.", 1),
    ("Het geld komt van één partij, nl. De Bank.", 1),
    ("Neem iets mee, bijv. brood of fruit.", 1),
    ("Neem iets mee, bijv. Brood of fruit.", 1),
    ("Neem iets mee, bv. een taart.", 1),
    ("We praten o.a. over de nieuwe regels.", 1),
    ("Er komen o.a. Jan en Piet.", 1),
    ("We verwachten ca. 40 mensen.", 1),
    ("We verwachten ca. veertig mensen.", 1),
    ("We verkopen pennen, papier enz. in de winkel.", 1),
    ("We verkopen pennen, papier enz. De winkel gaat om negen uur open.", 2),
    ("We verkopen pennen, papier etc. Kom langs.", 2),
    ("Gebruik de trein i.p.v. de auto.", 1),
    ("Stuur de brief t.a.v. de directie.", 1),
    ("Stuur de brief t.a.v. Mevr. Jansen.", 1),
    ("Reageer z.s.m. via de portal.", 1),
    ("Reageer z.s.m. Dan weten we het op tijd.", 2),
    ("We starten op 15 jan. met de cursus.", 1),
    ("We starten op 15 jan. De cursus duurt zes weken.", 2),
    ("De cursus begint op 3 feb. 2027 in Utrecht.", 1),
    ("De markt is op 2 mrt. in Delft.", 1),
    ("Stuur je idee voor 1 apr. naar ons.", 1),
    ("Het feest is op 30 aug. in de kantine.", 1),
    ("De cursus start in sept. op kantoor.", 1),
    ("De cursus start in okt. We laten het je weten.", 2),
    ("We sluiten van 24 dec. tot 2 jan.", 1),
    ("Ik sprak met Jan. Hij vond het goed.", 2),
    ("Jan. 15 is de laatste dag.", 1),
    ("Dhr. Jansen opent de dag.", 1),
    ("Mevr. de Vries leidt het team.", 1),
    ("Mevr. Bakker leidt het team.", 1),
    ("Dr. Patel leidt het lab.", 1),
    ("Prof. de Boer geeft de eerste les.", 1),
    ("Mr. Smit is onze jurist.", 1),
    ("Ir. Visser bouwt de brug.", 1),
    ("Drs. Peters schrijft het stuk.", 1),
    ("Ing. Mulder test de software.", 1),
    ("We danken dr. Ahmed. Zij maakte het mogelijk.", 2),
    ("Het boek is van J. de Vries.", 1),
    ("Met dank aan A. Bakker voor de foto's.", 1),
    ("Het shirt is er in maat S. Past de meeste mensen.", 2),
    ("Neem maat M. Die valt iets ruimer.", 2),
    ("We hebben een plan B. We wachten een week.", 2),
    ("Neem vitamine C. Dat helpt.", 2),
    ("Je vindt ons in zaal A. Kom op tijd.", 2),
    ("We gaan naar Den Haag a.s. maandag.", 1),
    ("We beginnen maandag a.s. Kom je ook?", 2),
    ("De dag was vrijdag jl. in Delft.", 1),
    ("De dag was vrijdag jl. Het was gezellig.", 2),
    ("Lees blz. 12 eerst.", 1),
    ("Lees p. 12 eerst.", 1),
    ("Kamer nr. 4 is vrij.", 1),
    ("Zie fig. 2 op de volgende pagina.", 1),
    ("Vgl. de tabel hieronder.", 1),
    ("Het kost 10 euro excl. btw.", 1),
    ("Het kost 10 euro incl. btw. Dat is een goede prijs.", 2),
    ("Het kost 10 euro incl. btw en verzending.", 1),
    ("De wandeling is 5 km. Dat duurt een uur.", 2),
    ("De doos weegt 3 kg. en past in de auto.", 1),
    ("De pauze duurt 10 min. Daarna gaan we verder.", 2),
    ("De pauze duurt 10 min. lang.", 1),
    ("We nemen min. drie mensen per team.", 1),
    ("We zoeken max. tien mensen.", 1),
    ("Dat is m.a.w. te duur.", 1),
    ("We bellen je d.w.z. morgen.", 1),
    ("We bellen je m.b.t. je vraag.", 1),
    ("We bellen je i.v.m. de verhuizing.", 1),
    ("We doen dit n.a.v. jouw vraag.", 1),
    ("We doen dit o.b.v. de cijfers.", 1),
    ("We doen dit t.b.v. de klant.", 1),
    ("We doen dit d.m.v. een enquête.", 1),
    ("Stuur een foto, tekening e.d. naar ons.", 1),
    ("Stuur een foto, tekening e.d. We kijken ernaar.", 2),
    ("Er komen Jansen e.a. naar de borrel.", 1),
    ("Er komen Jansen e.a. Het wordt gezellig.", 2),
    ("We werken samen met Acme B.V. Zij maken gereedschap.", 2),
    ("We werken samen met Acme B.V. aan de tool.", 1),
    ("Ons bedrijf is een N.V. Het is groot.", 2),
    ("Het is ong. tien minuten lopen.", 1),
    ("We zoeken evt. een tweede ruimte.", 1),
    ("Het gaat vnl. om de kosten.", 1),
    ("De zgn. kick-off is op maandag.", 1),
    ("De vergadering is om 9.30 uur. Wees op tijd.", 2),
    ("Versie 2.1 is uit. Probeer het.", 2),
    ("Het kost 2,50 euro. Dat is eerlijk.", 2),
    ("Kom ook! Het is gratis. Neem je een vriend mee?", 3),
    ("Wacht... Wat zei je?", 2),
    ("Zij zei: “Ga.” Toen liep ze weg.", 2),
    ("Hij ging weg (voorgoed). We missen hem.", 2),
    ("We werken in de U.S. Het kantoor heeft tien bureaus.", 2),
    ("Ons team in de U.K. Daar werken tien mensen.", 2),
    ("De zaal gaat open om 10 u. We beginnen om half elf.", 2),
    ("Het kost resp. 5 en 10 euro.", 1),
    ("Zie art. 3 van de wet.", 1),
    ("Dat geldt t/m vrijdag. Daarna niet meer.", 2),
    ("We zijn er c.q. onze collega's.", 1),
    ("We verkopen pennen (en papier enz.) in de winkel.", 1),
    ("Hij vroeg “waarom?” en liep weg.", 1),
    ("We wachtten... en wachtten.", 1),
    ("Het boek is van J.P. Balkenende.", 1),
    ("Prof.dr. Jansen opent de dag.", 1),
    ("Mr.drs. de Wit leidt het overleg.", 1),
    ("Het werk gebeurt i.o.v. Rijkswaterstaat.", 1),
    ("Het koor zingt o.l.v. Anna de Boer.", 1),
    ("We gaan naar Alphen a.d. Rijn.", 1),
    ("De brief d.d. 5 mei is verstuurd.", 1),
    ("Het gaat m.n. om de kosten.", 1),
    ("We laten het t.z.t. weten.", 1),
    ("We beslissen t.z.t. Dan hoor je het.", 2),
    ("Hij haalde een A. Knap gedaan!", 2),
    ("We spraken met de C.E.O. Daarna gingen we lunchen.", 2),
    ("We werken in de V.S. Daar is het kantoor groot.", 2),
    ("Het project kost 2 mln. euro en wordt betaald door de buren, nl. de gemeente. Het begint "
     "in maart.", 2),
]  # fmt: skip


def _count(text: str) -> int:
    return len(segment(text).sentences)


def test_there_are_enough_cases():
    assert len(EN_CASES) >= 100
    assert len(NL_CASES) >= 100


@pytest.mark.parametrize(("text", "sentences"), EN_CASES, ids=[t[:40] for t, _ in EN_CASES])
def test_english_sentences(text, sentences):
    assert _count(text) == sentences


@pytest.mark.parametrize(("text", "sentences"), NL_CASES, ids=[t[:40] for t, _ in NL_CASES])
def test_dutch_sentences(text, sentences):
    assert _count(text) == sentences


def test_the_issue_texts_score_as_three_sentences():
    course = EN_CASES[-2][0]
    written_out = course.replace("Jan. 15", "January 15").replace("Feb. 3", "February 3")
    report = check(course, language="en")
    full = check(written_out, language="en")
    assert (report.sentences, full.sentences) == (3, 3)
    # "Jan." and "Feb." are read as "January" and "February": the same score as written out.
    assert (report.syllables, report.score, report.band) == (full.syllables, 91.4, "plain")

    lab = check(EN_CASES[-1][0], language="en")
    assert lab.sentences == 3
    assert lab.long_sentences == ()


@pytest.mark.parametrize(
    ("abbreviation", "language"),
    [("jan.", "en"), ("a.m.", "en"), ("mln.", "nl"), ("nl.", "nl"), ("z.s.m.", "nl")],
)
def test_lists_ship_with_their_sources(abbreviation, language):
    from ambassadors.plain_language.abbreviations import load_abbreviations

    table = load_abbreviations(language)
    assert abbreviation in table


@pytest.mark.parametrize(("language", "source"), [("en", "Sources:"), ("nl", "Bronnen:")])
def test_list_files_name_their_sources(language, source):
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "plain_language" / "data"
    header = (path / f"abbreviations_{language}.tsv").read_text(encoding="utf-8")[:3000]
    assert source in header


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("jan.\tsoon", "expected 'abbreviation<TAB>"),
        ("jan\tfinal", "must end in a full stop"),
        ("jan.\tfinal\njan.\tinner", "listed twice"),
    ],
)
def test_malformed_abbreviation_lists_fail_loudly(text, message):
    from ambassadors.plain_language.abbreviations import parse_abbreviations

    with pytest.raises(ValueError, match=message):
        parse_abbreviations(text)


def test_spoken_forms_are_read_from_the_third_column():
    from ambassadors.plain_language.abbreviations import parse_abbreviations, spoken_forms

    assert parse_abbreviations("mln.\tfinal\tmiljoen\nnl.\tinner") == (
        {"mln.": "final", "nl.": "inner"},
        {"mln.": "miljoen"},
    )
    assert spoken_forms("nl")["z.s.m."] == "zo snel mogelijk"
