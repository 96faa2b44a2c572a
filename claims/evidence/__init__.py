"""Evidence that lasts: link checks, text snapshots with content hashes, quote checks, archives.

- probe.py: fetch a link and read its outcome, title and text (no database);
  services.py: the link check (fetch, snapshot, quote check, link-rot alerts) and the archiver's
  write; selectors.py: what pages, the approval queue and the exports read;
  quotes.py: quote matching; archive.py: the web archive client; tasks.py: the Celery jobs;
  receivers.py: a new piece of evidence is checked after its transaction commits.
"""
