"""Topics by meaning: a small labelled list of news sentences (our own, not from the topic
examples), the default topics of migrations 0006 and 0010, and the precision of the tags."""

import importlib

from claims.extraction import TopicSpec, analyse_text, embed_sentences
from claims.extraction.topics import match_topics_many

_ROWS = [
    row
    for name in ("0006_topic_meanings_triage", "0010_environment_topic")
    for row in importlib.import_module(f"claims.migrations.{name}").TOPICS
]
TOPICS = {
    slug: TopicSpec(
        keywords=tuple(k.strip() for k in keywords.split(",")),
        description=description,
        examples=tuple(examples.splitlines()),
    )
    for slug, _name, keywords, description, examples in _ROWS
}

# sentence, the topics a desk editor would tag (any of them counts as right)
LABELLED = [
    ("The military campaign against the rebels has displaced 40,000 people.", {"security"}),
    ("The campaign has failed to dislodge the group from the northern hills.", {"security"}),
    ("Government forces launched a fresh campaign of air strikes on Tuesday.", {"security"}),
    ("The senator's re-election campaign raised $3 million in the last quarter.", {"elections"}),
    ("Turnout in the general election was the lowest since 2001.", {"elections"}),
    ("Teachers in Indiana earn less than their peers in neighbouring states.",
     {"education", "labour"}),
    ("Half of the county's primary schools are short of qualified maths teachers.",
     {"education", "labour"}),
    ("Tuition fees at public universities have doubled in a decade.", {"education", "economy"}),
    ("Nurses voted to strike after rejecting a 2 percent pay offer.", {"labour", "health"}),
    ("The union says warehouse workers are paid below the minimum wage.", {"labour", "economy"}),
    ("Unemployment fell to 3.9 percent in October.", {"economy", "labour"}),
    ("Inflation rose to 6 percent, its highest level in a decade.", {"economy"}),
    ("The astronomers detected water vapour in the atmosphere of a distant planet.", {"science"}),
    ("The study of 2,000 patients found no link between the vaccine and autism.",
     {"science", "health"}),
    ("The new smartphone chip is twice as fast as last year's model.", {"technology"}),
    ("Hackers stole the personal data of 50 million Facebook users.",
     {"technology", "crime"}),
    ("Measles cases have tripled since vaccination rates fell.", {"health"}),
    ("The hospital's emergency department turned away 200 ambulances last month.", {"health"}),
    ("Global carbon emissions rose 1 percent last year despite the pledges.", {"climate"}),
    ("The wildfire burned through 20,000 acres of forest.", {"climate"}),
    ("Police arrested four men after a series of burglaries in the town.", {"crime"}),
    ("The judge sentenced him to 12 years in prison for fraud.", {"crime"}),
    ("Asylum applications to Germany fell by a third in 2018.", {"immigration"}),
    ("The ambassador was expelled after the spy scandal.", {"foreign-affairs", "security"}),
    ("Parliament passed the bill by 312 votes to 290.", {"government", "elections"}),
    ("Average rents in the city rose 9 percent last year.", {"housing", "economy"}),
    ("The rail operator cancelled a fifth of its trains during the heatwave.", {"transport"}),
    ("Hundreds of pilot whales died in a mass stranding on the west coast.", {"environment"}),
    ("Microplastics were found in 90 percent of the fish sampled from the lake.",
     {"environment"}),
    ("The dieback disease has killed a fifth of the country's native kauri trees.",
     {"environment", "science"}),
    ("Air pollution in Delhi reached 20 times the safe limit on Sunday.",
     {"environment", "health"}),
    ("Poachers killed 1,000 rhinos in South Africa last year.", {"environment", "crime"}),
]  # fmt: skip


def _tags():
    texts = [t for t, _ in LABELLED]
    return match_topics_many(texts, TOPICS, embed_sentences(texts))


def test_topic_precision_on_a_labelled_list():
    tags = _tags()
    given = sum(len(t) for t in tags)
    right = sum(len(set(t) & gold) for t, (_, gold) in zip(tags, LABELLED, strict=True))
    found = sum(bool(set(t) & gold) for t, (_, gold) in zip(tags, LABELLED, strict=True))
    precision, coverage = right / max(given, 1), found / len(LABELLED)
    print(f"topic precision {precision:.2f} ({right}/{given}), sentences with a right tag "
          f"{coverage:.2f} ({found}/{len(LABELLED)})")  # fmt: skip
    assert precision >= 0.8, list(zip(tags, LABELLED, strict=True))
    assert coverage >= 0.8


def test_a_military_campaign_is_not_elections(seed_text):
    sentence = "The military campaign against the rebels has displaced 40,000 people."
    (tags,) = match_topics_many([sentence], TOPICS, embed_sentences([sentence]))
    assert tags and tags[0] == "security"
    # The demo article's military "campaign" sentences (the symptom).
    campaign = [s for s in analyse_text(seed_text, topics=TOPICS) if "campaign" in s.text.lower()]
    assert len(campaign) >= 3
    for s in campaign:
        assert "elections" not in s.topics, (s.text, s.topics)


def test_new_desks_are_tagged():
    texts = [
        "Half of the county's primary schools are short of qualified maths teachers.",
        "Nurses voted to strike after rejecting a 2 percent pay offer.",
        "The astronomers detected water vapour in the atmosphere of a distant planet.",
        "The new smartphone chip is twice as fast as last year's model.",
        "Hundreds of pilot whales died in a mass stranding on the west coast.",
    ]
    tags = match_topics_many(texts, TOPICS, embed_sentences(texts))
    assert tags[4] == ("environment",)  # not Security (the issue of 0010)
    assert "education" in tags[0]
    assert "labour" in tags[1]
    assert "science" in tags[2]
    assert "technology" in tags[3]


def test_analyse_text_tags_by_meaning_and_keywords_stay_hints():
    text = "Government forces launched a fresh campaign of air strikes on Tuesday."
    (s,) = analyse_text(text, topics=TOPICS)
    assert "security" in s.topics and "elections" not in s.topics
    # Bare keyword lists (no description or examples) keep the keyword rule.
    (s,) = analyse_text(text, topics={"elections": ["campaign"]})
    assert s.topics == ("elections",)


def test_topics_are_editable_in_the_admin_and_extraction_reads_them(db, client, django_user_model):
    from claims import services
    from claims.models import Claim, Topic

    admin = django_user_model.objects.create_superuser("topic-admin", "a@example.org", "pw")
    client.force_login(admin)
    topic = Topic.objects.get(slug="science")
    page = client.get(f"/admin/claims/topic/{topic.pk}/change/").content.decode()
    assert 'name="description"' in page and 'name="examples"' in page
    response = client.post(
        f"/admin/claims/topic/{topic.pk}/change/",
        {
            "name": "Science and research",
            "slug": "science",
            "description": "Beekeeping, honey bees, hives and pollinators.",
            "examples": "Honey bee colonies collapsed across the state last winter.",
            "keywords": "bees",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    topic.refresh_from_db()
    assert topic.example_list == ["Honey bee colonies collapsed across the state last winter."]
    article, _ = services.article_create_from_text(
        text="Beekeepers lost 40 percent of their hives to mites this year."
    )
    services.article_extract_claims(article_id=article.pk)
    claim = Claim.objects.get(article=article)
    assert "science" in set(claim.topics.values_list("slug", flat=True))
