"""nlp_reports.structure"""
