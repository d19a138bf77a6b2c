"""nlp_reports.tagging"""
