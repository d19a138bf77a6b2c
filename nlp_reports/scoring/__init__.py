"""nlp_reports.scoring"""
