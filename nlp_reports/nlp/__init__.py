"""nlp_reports.nlp"""
