# Site-wide nbgrader settings for a JupyterHub that runs the course
# (install as /etc/jupyter/nbgrader_config.py in the single-user image).
# The instructor's course folder (a clone of the repository) has its own nbgrader_config.py
# with the course id, folders and timeouts; this file only adds the shared exchange.
c = get_config()  # noqa: F821

c.CourseDirectory.course_id = "osai-econ"
# A folder every user's server can read and write: a shared volume on Kubernetes.
c.Exchange.root = "/srv/nbgrader/exchange"

# Feedback never shows hidden tests, whichever folder formgrader runs from: test cells get
# their release source and one-line tracebacks (course.grading._feedback.HideHiddenTests).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "course.grading._feedback.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
