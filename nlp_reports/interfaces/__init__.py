"""nlp_reports.interfaces"""
