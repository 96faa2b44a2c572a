"""Representations of the API's resources. Read-only: writes go through services (inputs.py).
The shapes every resource shares (`common`), claims (`claims`) and the claims list built from
plain rows (`claims_list`), verdicts and ratings (`verdicts`), articles (`articles`), evidence
(`evidence`), exports (`exports`) and the signed-in user (`auth`)."""

from .articles import ArticleDetailSerializer, ArticleRefSerializer, ArticleSerializer
from .auth import MeSerializer, TokenSerializer
from .claims import ClaimEventSerializer, ClaimSerializer
from .claims_list import claim_list_rows
from .common import ErrorSerializer, UserRefSerializer
from .evidence import EvidenceSerializer
from .exports import ExportSerializer
from .verdicts import RatingRefSerializer, RatingSerializer, VerdictSerializer

__all__ = [
    "ArticleDetailSerializer",
    "ArticleRefSerializer",
    "ArticleSerializer",
    "ClaimEventSerializer",
    "ClaimSerializer",
    "ErrorSerializer",
    "EvidenceSerializer",
    "ExportSerializer",
    "MeSerializer",
    "RatingRefSerializer",
    "RatingSerializer",
    "TokenSerializer",
    "UserRefSerializer",
    "VerdictSerializer",
    "claim_list_rows",
]
