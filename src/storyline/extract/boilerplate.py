"""Boilerplate rules: the lines and paragraphs around a news body that are not the article.

Two rule sets, one per input shape:

- text dumps (``text.py``), line by line: ``DUMP_BOILERPLATE`` (AI-audio notices, "Related
  article:" lines, share/subscribe prompts, credits, "Reporting by" lines), ``CREDIT_TAIL``
  (image captions ending in a photo credit) and ``SECTION_CUT`` (the link lists after a body);
- HTML pages (``html.py``), paragraph by paragraph after trafilatura: ``boilerplate_reason``,
  whose rules each bound the paragraph's length so that a real paragraph merely mentioning,
  say, a newsletter is kept, and ``headline_like`` for teaser lists.

They were tuned separately (the dump rules on the seeds and the demo dumps, the page rules on
the extraction benchmark, BENCHMARKS.md) and are kept apart so that neither moves the other's
figures; a rule that belongs to both should be written once here.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")

#: A dump line that is not article text (matched at the start of the cleaned line).
DUMP_BOILERPLATE = re.compile(
    r"^(?:"
    r"this (?:audio|article|summary) (?:is|was) (?:created|generated|produced)"
    r" with (?:the )?(?:help of )?ai"
    r"|listen to (?:this|the) (?:article|story)"
    r"|(?:related|recommended|read more|read also|see also|also read|more on this|more from"
    r"|more|editor'?s? picks?|must read|don'?t miss|trending|popular)"
    r"(?:\s+(?:articles?|stories|story|content|reading|coverage|news|links?|posts?|on \w+))?"
    r"\s*[:|–—-]"
    r"|(?:share|sign up|subscribe|follow us|advertisement|support (?:our|independent)|click here"
    r"|download (?:our|the) app|join our|get our|we use cookies|cookie settings|all rights reserved"
    r"|copyright|tags?:|topics?:|filed under|updated:|published:|last updated|print this)\b"
    r"|©"
    r"|\[(?:image|photo|picture|video|graphic)\b.*\]$"
    r"|\d+\s+min(?:ute)?s?\s+read$"
    r"|(?:additional )?(?:reporting|writing|editing|compiled|translated) by\b"
    r"|(?:original (?:url|link|article)|source url|url)\s*:"
    r"|(?:[\w.\s,&']{2,80})\s+contributed (?:reporting|to this report)\b"
    r"|(?:photo|image|picture|credit|photograph|illustration|main image|top image)s?\s*:"
    r")",
    re.IGNORECASE,
)
#: The end of an image caption: a photo credit, an agency, a bare domain, "Name / Agency".
CREDIT_TAIL = re.compile(
    r"(?:\((?:[^()]*?/[^()]*?|[^()]*?\bvia\b[^()]*?|(?:photo|image|credit)[^()]*?)\)\s*$"
    r"|(?:[/,(]|\bvia|\bphoto:?)\s*(?:getty images|shutterstock|ap photo|afp|reuters|"
    r"epa(?:-efe)?|tass|ria novosti|pool|istock|alamy|anadolu|xinhua|sputnik)\b[^.]{0,40}$"
    r"|[A-Za-z][\w.-]*\.(?:com|ru|org|net|gov|ua|uk|de|fr|io|info)\s*$"
    r"|\b[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}\s+/\s+[A-Z][\w.'’-]*(?:\s+[\w.'’-]+){0,3}$)",
    re.IGNORECASE,
)

# Headers of link lists after the body ("More from the Herald", "Related stories").
SECTION_CUT = re.compile(
    r"^(?:more from|more stories|related (?:articles?|stories|coverage|content|news)|recommended|"
    r"most (?:read|popular|viewed)|you (?:may|might) also like|read next|latest (?:news|stories)|"
    r"trending|editor'?s'? picks|further reading|sign up|subscribe)\b",
    re.I,
)


# Boilerplate paragraphs. Each rule also bounds the paragraph's length so that a real
# paragraph merely mentioning, say, a newsletter is kept. Checked against the benchmark's
# hand-made bodies: the rules remove 14 of their 4,363 lines, all of them credits, follow-us
# lines or teaser lists that the annotators happened to keep.
_I = re.IGNORECASE
_TEASER_PREFIX = re.compile(
    r"^\W{0,3}(related"
    r"( (articles?|stories|story|content|coverage|reading|links|posts?|news|videos?))?"
    r"|read more|read also|also read|read next|see more|see also|more from [^:|]{1,40}"
    r"|more on (this|that)( story| topic)?|recommended( reading| stories)?|don'?t miss"
    r"|you (may|might) also like|most (read|popular))\s*[:|»>]",
    _I,
)
_TEASER_LABEL = re.compile(
    r"^\W{0,3}(related( (articles?|stories|content|coverage|reading|links|posts?|news|videos?))?"
    r"|read more|more stories|more from [^:|]{1,40}|see also|recommended( reading| stories)?"
    r"|don'?t miss|you (may|might) also like|most (read|popular)|trending( now)?)\W{0,3}$",
    _I,
)
_ALSO_ON = re.compile(r"^also on [\w-]+(\.[\w-]+)+\b", _I)
_NEWSLETTER = re.compile(
    r"^(sign up|subscribe)\b.*\b(newsletters?|inbox|alerts?|updates)\b"
    r"|\bnewsletters?\b.*\b(sign(ing)? up|subscrib\w*|inbox|deliver\w*)\b"
    r"|\b(sign(ing)? up|subscrib\w*|get|deliver\w*)\b.*\b(newsletters?|inbox)\b",
    _I,
)
_NEWSLETTER_LABEL = re.compile(r"\bnewsletters?\b", _I)
_SOCIAL = re.compile(
    r"\bfollow (us|me|him|her|them|@\w+|[^.?!]{1,60}?) on "
    r"(twitter|facebook|instagram|linkedin|youtube|tiktok)\b"
    r"|\bfollow (us|me|him|her|them) @\w+"
    r"|^like this (story|article)\?"
    r"|^share (this (article|story|post)|on (facebook|twitter|whatsapp|linkedin))\b"
    r"|^(click|tap) here to (share|subscribe|sign up)",
    _I,
)
# Starts only at a token boundary and bounded, so a long word without "@" costs linear time.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,253}\.[\w.-]{1,253}")
_CONTACT = re.compile(r"\b(e-?mail|reach(ed)?|contact|tips?|follow)\b", _I)
_WIRE_CREDIT = re.compile(
    r"^\W{0,2}((additional |with )?reporting (by|from)|writing by|edit(ing|ed) by|compiled by)\b",
    _I,
)
_CREDIT = re.compile(
    r"^\W{0,2}(photo(graph)?s?|images?|pictures?|video)( credits?)?\s*(:|©|by\b)"
    r"|^\W{0,2}credits?\s*:|^copyright\b|\ball rights reserved\b|©",
    _I,
)
# Case-sensitive: "EPA" the agency, not "ePA" the abbreviation ending a German sentence.
_CREDIT_END = re.compile(
    r"\b(Getty Images|AP Photo|AFP|Reuters|REUTERS|Shutterstock|iStock(photo)?|EPA(-EFE)?"
    r"|File [Pp]hoto)\)?$"
)
_LABEL = re.compile(
    r"^\W*(\d+ )?(comments?|leave a (comment|reply)|tell us what you think"
    r"|join the (conversation|discussion)|tags?|share( this( article| story)?)?|advertisement"
    r"|story continues below( advertisement)?|continue reading|print|email)\W*$",
    _I,
)
_TAGS = re.compile(r"^(tags?|tagged|filed under|categories|category|posted in|topics)\s*:", _I)
_STAMP = re.compile(
    r"^(last )?(updated|published|posted)( on| at)?\b[^a-z]{0,3}.{0,40}\d.{0,20}$", _I
)
_PITCH = re.compile(
    r"^if you (enjoyed|liked|value|appreciate) (this|our) (article|story|journalism|reporting)", _I
)
_PARAGRAPH_END = re.compile(r"[.!?…:\"”’]\W{0,2}$")


#: Longest paragraph that can be boilerplate, in characters (labels, credits, teasers and
#: pitches are short; 60 words of 20 characters each is well over what they are).
_LONGEST_BOILERPLATE = 2000


def boilerplate_reason(text: str) -> str | None:
    """Why a page paragraph is boilerplate ("teaser", "newsletter", "social", "contact",
    "credit", "label", "tags", "stamp", "pitch"), or None when it is not. A paragraph over
    ``_LONGEST_BOILERPLATE`` characters never is (and is not searched: some of these patterns
    backtrack on one long word)."""
    if len(text) > _LONGEST_BOILERPLATE:
        return None
    n = len(_WORD.findall(text))
    checks = (
        ("teaser", n <= 40 and (_TEASER_PREFIX.search(text) or _ALSO_ON.search(text))),
        ("teaser", _TEASER_LABEL.search(text)),
        ("newsletter", n <= 45 and _NEWSLETTER.search(text)),
        ("newsletter", n <= 6 and _NEWSLETTER_LABEL.search(text)),
        ("social", n <= 45 and _SOCIAL.search(text)),
        ("contact", n <= 45 and _EMAIL.search(text) and _CONTACT.search(text)),
        ("credit", n <= 60 and _WIRE_CREDIT.search(text)),
        ("credit", n <= 25 and (_CREDIT.search(text) or _CREDIT_END.search(text))),
        ("label", _LABEL.search(text)),
        ("tags", n <= 40 and _TAGS.search(text)),
        ("stamp", n <= 12 and _STAMP.search(text)),
        ("pitch", n <= 60 and _PITCH.search(text)),
    )
    return next((reason for reason, hit in checks if hit), None)


def headline_like(text: str) -> bool:
    """A list item or a short line without closing punctuation: a teaser headline."""
    return text.startswith("- ") or (
        len(_WORD.findall(text)) <= 20 and not _PARAGRAPH_END.search(text)
    )
