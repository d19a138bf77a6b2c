"""nlp_reports.corpus"""
