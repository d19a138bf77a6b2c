"""nlp_reports.io"""
