"""nlp_reports: text-as-data toolkit for Chinese government reports."""

__version__ = "0.1.0"
