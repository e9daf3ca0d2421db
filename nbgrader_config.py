# nbgrader configuration for the course (read by nbgrader's CLI, formgrader and `course` commands).
import os

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "osai-econ"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "modules"

# Per-cell execution limit, in seconds: a cell still running after this is stopped.
c.Execute.timeout = 30
# Student code runs offline: litellm must never fetch its price map.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

# Grade with the course's executor: it stops a loop that ignores KeyboardInterrupt by
# restarting the kernel, so one looping answer cannot stall the rest of the class.
c.Autograde.autograde_preprocessors = [
    "course.grading.SafeExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# A whole notebook may run this long (seconds) before the rest of it is stopped.
c.SafeExecute.notebook_timeout = 600

# Feedback never shows hidden tests, also from plain `nbgrader generate_feedback` and the
# formgrader's button: test cells get their release source (from the release folder, modules/),
# tracebacks are cut to one line.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "course.grading._feedback.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
