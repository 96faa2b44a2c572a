"""Claimant patterns on news prose, each on a sentence from a real page of news-dev (the whole
document goes through the rules, as an article would), and the news-dev figures."""

from pathlib import Path

import pytest

from claims.extraction import head_data
from claims.extraction.boilerplate import is_boilerplate
from claims.extraction.claimant_eval import evaluate, same_claimant
from claims.extraction.claimants import attribute
from claims.extraction.sentences import split_sentences

DOCS = head_data.NEWS_DEV / "docs"


def attribution(doc: str, fragment: str):
    path = Path(DOCS / f"{doc}.txt")
    assert path.exists(), f"news-dev document {path} is missing"
    text = path.read_text(encoding="utf-8")
    spans = split_sentences(text)
    sentences = [text[s:e] for s, e in spans]
    found = attribute(text, spans, skip=[is_boilerplate(t) for t in sentences])
    hits = [f for f, s in zip(found, sentences, strict=True) if fragment in s]
    assert hits, f"no sentence of {doc} contains {fragment!r}"
    return hits[0]


@pytest.mark.parametrize(
    ("doc", "fragment", "claimant", "kind"),
    [
        # according to X -> X (an organisation, typed as one)
        ("chron.com.car-sales", "up 4 percent from the previous year, according to InfoNation",
         "InfoNation", "Organization"),
        # "X said, according to Y": X said it, Y relays it
        ("smithsonianmag.com.plague", "the Inner Mongolia health commission said, according to",
         "Inner Mongolia health commission", "Organization"),
        ("smithsonianmag.com.plague", "But according to NPR’s Feng, Li Jifeng", "Li Jifeng",
         "Person"),
        # "..., reports X" / "..., said X, a spokesman for Y": the named source after the verb
        ("smithsonianmag.com.plague", "26 cases and 11 deaths between 2009 and 2018, reports",
         "Reuters", "Organization"),
        ("nytimes.com.manholes", "said Ian Michaels, a spokesman for the city",
         "Ian Michaels", "Person"),
        # full organisation names, "of/on/and" inside them kept
        ("heraldsun.com.au.surveillance", "Joint Committee on Intelligence and Security has",
         "Parliament’s Joint Committee on Intelligence and Security", "Organization"),
        # researchers / the scientists / the study -> the named author
        ("medicalnewstoday.com.aha", "the scientists were able to match", "Michael Shadlen",
         "Person"),
        ("medicalnewstoday.com.aha", "the study shows that the conscious awareness",
         "Michael Shadlen", "Person"),
        # "the report" with no author named -> the institution that wrote it
        ("money.cnn.com.mobility", "The report also suggested the U.S. might not be",
         "Stanford University’s Center on Poverty and Inequality", "Organization"),
        # he/she -> the last named person who spoke (not a group named in between)
        ("bbc.com.assange", "He has always denied the allegations", "Julian Assange", "Person"),
        ("nbcnews.com.yoon", "He said he would not declare martial law a second time",
         "Yoon Suk Yeol", "Person"),
        # two bodies as subject: the first named
        ("yahoo.com.progress", "But both Roscosmos and NASA said", "Roscosmos", "Organization"),
        # officials named by nationality after a body's officials are that body's
        ("nytimes.com.sudan", "American officials said Sudan had already shown",
         "Obama administration", "Organization"),
        # "according to the ... report from X" -> X
        ("chron.com.car-sales", "according to the TexAuto Facts report from InfoNation",
         "InfoNation", "Organization"),
        # "As the report states" -> the institution behind the report
        ("money.cnn.com.mobility", "As the report states", "Stanford University’s Center on "
         "Poverty and Inequality", "Organization"),
        # the study / the authors / "they found" -> the study's named author, even when the
        # author is named only later in the article
        ("newsweek.com.cannabis", "including among children and teenagers, according to a study",
         "Silvia S. Martins", "Person"),
        ("newsweek.com.cannabis", "the authors said", "Silvia S. Martins", "Person"),
        ("newsweek.com.cannabis", "But among participants aged between 18 to 25", "Silvia S. "
         "Martins", "Person"),
        ("medicalnewstoday.com.aha", "As the authors explain", "Michael Shadlen", "Person"),
        ("theplanetarypress.com.forestlands", "Overall, they found that the forest zone",
         "John Fa", "Person"),
        # a quotation that opens right after a speaker's words goes on in that voice
        ("detroitnews.com.teachers", "They start in the classroom but then they leave",
         "Angela Cooper", "Person"),
        ("detroitnews.com.teachers", "The issue is funding, and the state has the money",
         "Keith Gambill", "Person"),
        ("buzzfeed.com.diet-pills", "DNP is not a miracle slimming pill", "Fiona Parry",
         "Person"),
        # "..., it said in a statement" -> the organisation that spoke last
        ("buzzfeed.com.diet-pills", "We advise the public not to take any tablets",
         "Food Standards Agency", "Organization"),
        # lower-case titles, and titles or bodies before a name
        ("buzzfeed.com.diet-pills", "We are undoubtedly concerned over the origin",
         "Jennifer Mattinson", "Person"),
        ("detroitnews.com.teachers", "Indiana State Teachers Association President Keith Gambill",
         "Keith Gambill", "Person"),
        ("therepublic.com.arrests", "said Lt. Matt Harris, Columbus Police Department spokesman",
         "Matt Harris", "Person"),
        ("washingtonpost.com.tunisia", "Tunisian Prime Minister Habib Essid said", "Habib Essid",
         "Person"),
        # "his spokesman said" -> the person the sentence named; "the governor" -> the governor
        ("telegraph.co.uk.mugabe", "returned to Harare late on Wednesday, his spokesman said",
         "Morgan Tsvangirai", "Person"),
        ("detroitnews.com.teachers", "The governor said he was waiting", "Eric Holcomb",
         "Person"),
        # "..., said X, appositive" and "..., he said": the speaker after the verb, never a
        # place named before it ("One Napa County", "Sierra Nevada", "Eighth St")
        ("timesunion.com.pge", "One Napa County reporting station", "Scott Strenfel", "Person"),
        ("timesunion.com.pge", "The northern Sierra Nevada has seen", "Scott Strenfel", "Person"),
        ("therepublic.com.arrests", "Officers also arrested Christopher L. Tays", "Matt Harris",
         "Person"),
        # a body's officials are the body ("PG&E officials", not "E officials")
        ("timesunion.com.pge", "PG&E officials said", "PG&E", "Organization"),
        ("nytimes.com.manholes", "Con Edison officials say", "Con Edison", "Organization"),
        ("nytimes.com.manholes", "To alleviate the threat, the officials said", "Con Edison",
         "Organization"),
        ("buzzfeed.com.diet-pills", "West Mercia police said the tablets", "West Mercia police",
         "Organization"),
        # a lone name never introduced in full is a body, not a person
        ("yahoo.com.progress", "Roscosmos said in a statement", "Roscosmos", "Organization"),
        # "X of the Times reports" -> the journalist, not "Wee of the Times"
        ("smithsonianmag.com.plague", "Wee of the Times reports", "Sui-Lee Wee", "Person"),
        ("smithsonianmag.com.plague", "writes the Associated Press", "Associated Press",
         "Organization"),
        # figures in one paragraph keep the source named before them or at the paragraph's end
        ("vox.com.delhi", "India suffered the worst toll of any country", "Lancet Commission",
         "Organization"),
        ("webmd.com.superbugs", "About 23,000 die.", "CDC", "Organization"),
        ("chron.com.car-sales", "Consumers have purchased 208,560 new vehicles", "InfoNation",
         "Organization"),
        # "..., said the officials" -> the body whose officials spoke last
        ("nytimes.com.manholes", "The plastic is less susceptible to corrosion", "Con Edison",
         "Organization"),
        # "reports cited by X" -> X; "X has cited a study showing" -> X
        ("kulu-media.com.meta-outage", "According to reports cited by MySA", "MySA",
         "Organization"),
        ("detroitnews.com.teachers", "McCormick has cited a study showing", "Jennifer McCormick",
         "Person"),
        # "In a blog post, Microsoft on Thursday reiterated": the time phrase is not the subject
        ("vancouversun.com.microsoft", "Microsoft on Thursday reiterated its commitment",
         "Microsoft", "Organization"),
        # "prosecutors" -> the prosecuting office the article names, before or after
        ("usatoday.com.epstein", "Federal prosecutors alleged that Tova Noel",
         "U.S. attorney for the Southern District of New York", "Organization"),
        ("bbc.com.assange", "Prosecutors told reporters the decision", "Swedish Prosecution "
         "Authority", "Organization"),
        # "the Russian space agency said" -> the agency the article names
        ("yahoo.com.progress", "The unmanned Russian cargo space ship Progress MS-04 broke up",
         "Roscosmos", "Organization"),
        # "the agency said" with no agency named: the body that spoke last ("CBP announced")
        ("msn.com.flu-shots", "At the time, the agency said in a statement", "CBP",
         "Organization"),
        # a participle reports its clause's subject, past a relative clause and a predicate
        ("hosted.ap.org.tories", "issued a statement warning that", "Electoral Commission",
         "Organization"),
        # "The research, supported by ..., reveals" -> the study's author
        ("theplanetarypress.com.forestlands", "The research, supported by", "John Fa", "Person"),
        # "In turn, ..." continues the finding before it, even in a new paragraph
        ("theplanetarypress.com.forestlands", "In turn, these lands represent", "John Fa",
         "Person"),
        # a pull quote followed by a line naming its speaker
        ("medicalnewstoday.com.aha", "Essentially, the act of becoming consciously aware",
         "Michael Shadlen", "Person"),
        # "X found that", "X expects ... will"
        ("chron.com.car-sales", "Edmunds expects 16.6 million vehicles", "Edmunds",
         "Organization"),
        # "..., he added." lends its speaker to the next sentence of the paragraph
        ("nytimes.com.manholes", "The majority occur in winter, when the cold", "Tasos Georgelis",
         "Person"),
        ("newsweek.com.cannabis", "But long-term, heavy use is linked to", "Silvia S. Martins",
         "Person"),
        # "said researchers" once "Lukas Stefanko with ESET" is named: the company's researchers
        ("threatpost.com.android", "It is true that if the victim removes the app", "ESET",
         "Organization"),
        ("threatpost.com.android", "Also, according to our analysis, there is nothing", "ESET",
         "Organization"),
        ("threatpost.com.android", "In addition to online forums, researchers found the", "ESET",
         "Organization"),
        # ... also before the article names the company ("Researchers are warning" opens it)
        ("threatpost.com.android", "Researchers are warning of a new Android ransomware", "ESET",
         "Organization"),
        # ... but a named researcher is still himself
        ("threatpost.com.android", "Stefanko said that it had reached 59 clicks",
         "Lukas Stefanko", "Person"),
        # "they said" after "Gov. Eric Holcomb and leaders of the Legislature have ...": them
        ("detroitnews.com.teachers", "they said they don’t expect to take action", "Eric Holcomb",
         "Person"),
        # "Customs and Border Protection ... did not accept the offer. A spokesperson who did not
        # wish to be named said ...": the body that opens the sentence before
        ("msn.com.flu-shots", "A spokesperson who did not wish to be named because of agency",
         "Customs and Border Protection", "Organization"),
        # bullets after "President Obama also said:" are his, though they read as boilerplate
        ("bbc.com.obama-guns", "- Despite racial tensions, the US is becoming more diverse",
         "Barack Obama", "Person"),
        ("bbc.com.obama-guns", "- He is confident the Iran nuclear deal", "Barack Obama",
         "Person"),
        # "X shows how ...": a demonstration reported as X's account
        ("theverge.com.ios13", "Schukin shows how the software is warping", "Dave Schukin",
         "Person"),
        # "..., he said, according to the Intelligencer": he said it, the paper relays it
        ("politifact.com.mckinley", "is coming across the border in drugs,", "David McKinley",
         "Person"),
        # "Environmental Protection Department officials" after "the Department of Environmental
        # Protection": the body by the name it was given first (the agency then is that body)
        ("nytimes.com.manholes", "hold up because they were built with a thicker grade",
         "Department of Environmental Protection", "Organization"),
        # an embedded tweet's lines above "— Name (@handle) Date", even those read as boilerplate
        ("theverge.com.ios13", "How iOS 13 FaceTime Attention Correction works", "Dave Schukin",
         "Person"),
        ("vox.com.delhi", "Delhi has turned into a gas chamber due to", "Arvind Kejriwal",
         "Person"),
        ("vox.com.delhi", "Through pvt & govt schools, we have started", "Arvind Kejriwal",
         "Person"),
        # a name the article introduces as a group, company, charity...: an organisation
        ("theguardian.com.whales", "according to whale rescue group", "Project Jonah",
         "Organization"),
        # ... but a person "a member of the group", "a fellow at the Urban Institute" stays one
        ("msn.com.flu-shots", "a member of the group and signatory", "Luz Contreras Arroyo",
         "Person"),
        ("nytimes.com.debt", "a fellow at the Urban Institute", "C. Eugene Steuerle", "Person"),
        # a quotation closed by two apostrophes; the speaker, not the website he runs
        ("hosted.ap.org.tories", "chief executive of the London-based fact-checking website",
         "Will Moy", "Person"),
    ],
)  # fmt: skip
def test_news_claimant_patterns(doc, fragment, claimant, kind):
    found = attribution(doc, fragment)
    assert same_claimant(claimant, found.claimant), (found.claimant, found.method)
    assert found.kind == kind


@pytest.mark.parametrize(
    ("doc", "fragment"),
    [
        # plural generics are no claimant
        ("kulu-media.com.meta-outage", "Others said their feeds failed to refresh"),
        ("nbcnews.com.yoon", "Officials said Friday that Yoon had ordered the arrest"),
        # sources that name no one leave the article's own claim unattributed
        ("usatoday.com.epstein", "according to court records"),
        ("washingtonpost.com.tunisia", "according to local news reports"),
        ("vox.com.delhi", "according to one estimate"),
        # plural generics with no body named
        ("nbcnews.com.yoon", "Opposition lawmakers had said that if the impeachment motion"),
        ("nbcnews.com.yoon", "Military officers and government officials described"),
        ("timesunion.com.pge", "The planned blackout would be the latest"),  # local officials
        ("smithsonianmag.com.plague", "Three cases of plague have been diagnosed"),  # though off.
        ("detroitnews.com.teachers", "according to teachers unions"),
        ("timesunion.com.pge", "according to a group representing rural counties"),
        # the subject of a sentence is not its claimant unless they are saying it: passives,
        # relative clauses, negations, nouns that look like verbs, possessives
        ("bbc.com.assange", "Assange, who denies the accusation, has avoided extradition"),
        ("bbc.com.assange", "Now Assange faces 18 criminal charges"),
        ("bbc.com.assange", "Assange was accused of rape by a woman"),
        ("bbc.com.assange", "He is accused of participating in one of the largest"),
        ("usatoday.com.epstein", "Noel, 31, is charged with five counts"),
        ("kulu-media.com.meta-outage", "The company had also not announced a timeline"),
        ("nytimes.com.manholes", "Con Edison, which maintains 4,300 miles of gas mains"),
        ("nytimes.com.debt", "Mr. Trump has called for spending $1 trillion"),
        ("nytimes.com.tradewar", "When President Trump’s advisers suggested"),
        ("washingtonpost.com.israel", "But Benjamin Netanyahu’s triumph"),
        ("hosted.ap.org.tories", "when, in fact, he responded quickly"),
    ],
)
def test_generic_sources_are_not_claimants(doc, fragment):
    found = attribution(doc, fragment)
    assert found.claimant is None and found.kind == ""


def test_a_spokesperson_for_an_organisation_is_the_organisation():
    # news-dev has no unnamed "a spokesperson for X said"; this follows the example.
    text = (
        "Universities and Colleges Employers' Association figures were published on Monday. "
        "A spokesperson for the Universities and Colleges Employers' Association said pay had "
        "risen by 21.9% since 2010."
    )
    spans = split_sentences(text)
    _, second = attribute(text, spans)
    assert second.claimant == "Universities and Colleges Employers' Association"
    assert second.kind == "Organization" and second.method == "spokesperson"
    plain_text = "The Universities and Colleges Employers' Association said pay rose 21.9%."
    (plain,) = attribute(plain_text, split_sentences(plain_text))
    assert plain.claimant == "Universities and Colleges Employers' Association"
    assert plain.kind == "Organization"


def test_said_at_end_lends_its_speaker_only_within_the_paragraph():
    text = (
        "Sheriff Matt Harris spoke on Monday. Officers found 30 grams of heroin, Harris said. "
        "A search of the car yielded a gun. Crime fell 5 percent, Harris said. We asked for more. "
        "Crime fell, Harris said. About 50 people were hurt, according to local reports. "
        "Crime fell, Harris said.\nThe county has 9 jails."
    )
    found = attribute(text, split_sentences(text))
    harris = "Matt Harris"
    expected = [None, harris, harris, harris, None, harris, None, harris, None]
    assert [f.claimant for f in found] == expected
    assert found[2].method == "said_continued"


def test_a_tweet_stops_at_the_article_prose_that_introduces_it():
    intro = attribution("vox.com.delhi", "turned to Twitter last month to describe his city")
    assert intro.method != "tweet"
    signature = attribution("vox.com.delhi", "(@ArvindKejriwal) November 1, 2019")
    assert signature.claimant is None


def test_bullets_take_the_speaker_only_after_reported_speech():
    text = (
        "Senator Ana Silva spoke on Monday. Silva also said:\n- Taxes rose 5 percent\n"
        "- Wages fell\nThe figures at a glance:\n- Exports rose 3 percent\nTrade grew."
    )
    found = attribute(text, split_sentences(text))
    assert [f.claimant for f in found] == [
        None, "Ana Silva", "Ana Silva", "Ana Silva", None, None, None,
    ]  # fmt: skip
    assert found[2].method == "bullet"


def test_an_unnamed_spokesperson_needs_a_body_just_before():
    said = "A spokesperson said the agency had never run a vaccine programme."
    for before, claimant in [
        ("Customs and Border Protection, part of Homeland Security, did not accept it. ",
         "Customs and Border Protection"),
        ("The offer was not accepted. ", None),
        ("Customs and Border Protection did not reply. The offer was not accepted. ", None),
    ]:  # fmt: skip
        found = attribute(before + said, split_sentences(before + said))
        assert found[-1].claimant == claimant, before


def test_news_dev_claimant_figures():
    result = evaluate()
    print(
        f"named CFS claimants right {result['named_right']}/{result['named_total']}, "
        f"own claims unattributed {result['own_unattributed']}/{result['own_total']}"
    )
    assert result["named_total"] == 202 and result["own_total"] == 336
    # Floors at today's figures, so a change that loses ground fails (targets met: 0.90 each).
    assert result["named_accuracy"] >= 0.925
    assert result["own_accuracy"] >= 0.95


@pytest.mark.parametrize(
    ("gold", "predicted", "same"),
    [
        ("Centers for Disease Control", "CDC", True),
        ("Chinese Center for Disease Control and Prevention", "Chinese CDC", True),
        ("CDC", "the CDC", True),
        ("Pacific Gas & Electric Co.", "PG&E", True),
        ("Drug Enforcement Administration", "DEA", True),
        ("Barack Obama", "Obama", True),
        ("Barack Obama", "BBC", False),
        ("Reuters", "US", False),
        ("Michael Shadlen", None, False),
    ],
)
def test_same_claimant_knows_acronyms(gold, predicted, same):
    assert same_claimant(gold, predicted) is same


@pytest.mark.parametrize(
    ("fragment", "claimant", "kind"),
    [
        ("Russia Today reported", "Russia Today", "Organization"),
        ("Russian officials have suggested", "Russian officials", "Organization"),
        ("expressed regret", "Russia’s Foreign Ministry", "Organization"),
        ("Kabulov noted", "Zamir Kabulov", "Person"),
    ],
)
def test_claimant_type_decided_at_extraction(seed_result, fragment, claimant, kind):
    # The type ClaimReview's author @type takes (claims.exports uses claim.claimant_type).
    sentence = next(s for s in seed_result if fragment in s.text)
    assert (sentence.claimant, sentence.claimant_type) == (claimant, kind)
