"""Topics tagged by meaning: a description and example sentences per topic, and the desks a general
newsroom needs (education, labour, science, technology, government, housing, transport).

"campaign" alone no longer hints Elections (a military campaign is not an election).
"""

from django.db import migrations

# slug, name, keywords (hints), description, examples (one per line)
TOPICS = [
    ("security", "Security and defence",
     "military, army, troops, terrorist, terrorism, airstrike, airstrikes, militants, intelligence, "
     "insurgency, Daesh, ISIL, ISIS, Taliban, war, weapons",
     "War, armed forces, military operations, terrorism, insurgents and national security.",
     "The army launched a military campaign against the insurgents in the north.\n"
     "Air strikes killed dozens of militants near the border.\n"
     "The terrorist group claimed responsibility for the bombing.\n"
     "Troops were deployed to protect the capital after the attack."),
    ("foreign-affairs", "Foreign affairs",
     "diplomat, envoy, foreign ministry, embassy, sanctions, United Nations, treaty",
     "Relations between countries: diplomacy, sanctions, treaties, international organisations.",
     "The foreign minister met his counterpart to discuss the peace treaty.\n"
     "The United States will lift sanctions on Sudan.\n"
     "The ambassador was summoned over the diplomatic row."),
    ("economy", "Economy",
     "economy, unemployment, inflation, tax, taxes, GDP, budget, deficit, trade, debt, tariffs",
     "The economy: growth, inflation, public finances, taxes, trade, markets and business.",
     "Inflation rose to 4 percent, the highest in a decade.\n"
     "The government will spend more on interest than on the military.\n"
     "Car sales fell 5 percent from last year.\n"
     "The trade war has cut American farm exports to China."),
    ("health", "Health",
     "health, hospital, vaccine, disease, pandemic, doctors, medicare, medicaid",
     "Health and medicine: diseases, hospitals, vaccines, drugs, public health and health care.",
     "Three cases of plague have been diagnosed in China.\n"
     "The flu vaccine is recommended for everyone over six months old.\n"
     "Hospital waiting times have doubled since 2010."),
    ("elections", "Elections",
     "election, elections, vote, voters, ballot, election campaign, campaign trail, polls, candidate",
     "Elections and voting: candidates, election campaigns, polls, ballots and results.",
     "Voters go to the polls on Thursday in the general election.\n"
     "The candidate leads her rival by five points in the latest poll.\n"
     "The party changed the name of its press office during the election campaign."),
    ("immigration", "Immigration",
     "immigration, immigrants, migrants, border, asylum, refugees",
     "Immigration, migrants, refugees, asylum and borders.",
     "Migrant children are held in border facilities.\n"
     "Asylum applications rose by a third last year."),
    ("climate", "Climate and energy",
     "climate, emissions, energy, oil, gas, coal, renewable, carbon",
     "Climate change, emissions, energy, fossil fuels, renewables and the environment.",
     "Microsoft pledged to remove more carbon than it emits by 2030.\n"
     "Wildfires in the Amazon released 200 million tonnes of carbon dioxide.\n"
     "Coal plants supply a third of the country's electricity."),
    ("crime", "Crime and justice",
     "crime, police, prison, murder, court, justice, charged, arrested",
     "Crime, policing, courts, trials, prisons and the justice system.",
     "Two prison officers were charged with falsifying records.\n"
     "Police arrested three people after finding methamphetamine in the car.\n"
     "Prosecutors dropped the rape investigation."),
    ("education", "Education",
     "school, schools, teachers, pupils, students, university, universities, college, tuition",
     "Education: schools, teachers, pupils and students, universities, colleges and exams.",
     "Teachers rallied at the Statehouse for higher pay.\n"
     "Nearly 300 school districts closed because of the strike.\n"
     "University tuition fees have tripled since 2012."),
    ("labour", "Labour and employment",
     "workers, wages, pay, union, unions, strike, strikes, employers, jobs, employment",
     "Work and workers: jobs, wages, pay disputes, trade unions, strikes and employers.",
     "Workers walked out after the union rejected a 2 percent pay offer.\n"
     "The employers' association said the offer was fair.\n"
     "Unemployment among men of prime working age rose."),
    ("science", "Science and research",
     "study, research, researchers, scientists, journal, space, NASA, experiment",
     "Science and research: studies, scientists and discoveries in physics, astronomy, space, "
     "biology, chemistry and the natural world.",
     "Researchers found that the brain reaches a decision before we are aware of it.\n"
     "A study published in the journal found a rise in cannabis use disorder.\n"
     "The cargo ship burned up in the atmosphere after launch.\n"
     "Scientists have discovered a new species of frog in the rainforest.\n"
     "The telescope captured images of a galaxy 13 billion light years away."),
    ("technology", "Technology",
     "technology, software, internet, app, apps, smartphone, smartphones, chip, chips, computer, "
     "computers, Facebook, Google, Apple, Microsoft, AI, cyber, hackers, ransomware",
     "Technology: the internet, software, apps, devices, tech companies, cybersecurity and AI.",
     "A Meta outage disrupted access to Facebook, Instagram and Messenger.\n"
     "The new Android ransomware spreads through links in online forums.\n"
     "iOS 13 corrects eye contact in FaceTime calls.\n"
     "The company unveiled a faster processor for its laptops and phones."),
    ("government", "Government and politics",
     "government, parliament, congress, senate, minister, lawmakers, bill, legislation, president",
     "Government and politics: laws, parliaments, ministers, parties and public policy.",
     "The bill would require providers to store metadata for two years.\n"
     "Lawmakers failed to impeach the president.\n"
     "The governor appointed a commission on teacher pay."),
    ("housing", "Housing",
     "housing, rent, rents, mortgage, mortgages, homelessness, house prices",
     "Housing: rents, house prices, mortgages, social housing and homelessness.",
     "Average rents rose 8 percent in the capital last year.\n"
     "The number of homeless families has doubled."),
    ("transport", "Transport",
     "transport, rail, railway, trains, buses, airline, airport, roads, traffic",
     "Transport: roads, railways, buses, airlines, airports and traffic.",
     "The airline cancelled 300 flights after the outage.\n"
     "Rail fares will rise by 3 percent in January."),
]  # fmt: skip


def forwards(apps, schema_editor):
    Topic = apps.get_model("claims", "Topic")
    for slug, name, keywords, description, examples in TOPICS:
        topic = Topic.objects.filter(slug=slug).first()
        if topic is None:
            Topic.objects.create(
                slug=slug, name=name, keywords=keywords, description=description, examples=examples
            )
            continue
        # Keep what a newsroom edited; fill what is empty; drop the bare "campaign" hint.
        if slug == "elections":
            words = [w.strip() for w in topic.keywords.split(",") if w.strip()]
            kept = [w for w in words if w.lower() != "campaign"]
            topic.keywords = ", ".join(kept + ["election campaign", "campaign trail"])
        topic.description = topic.description or description
        topic.examples = topic.examples or examples
        topic.save()


def backwards(apps, schema_editor):
    Topic = apps.get_model("claims", "Topic")
    new = ["education", "labour", "science", "technology", "government", "housing", "transport"]
    Topic.objects.filter(slug__in=new, claims__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("claims", "0005_claim_triage_fields_triage")]
    operations = [migrations.RunPython(forwards, backwards)]
