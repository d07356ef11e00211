"""Claims settlement rules for SecondLock: trigger, coverage, liability, amounts.

Pure Python: this package imports nothing of the database, HTTP or the application
(DESIGN.md section 5). Settlement itself arrives with the claims issue; for now the
package holds the accident grading every incident needs.
"""

from claims.grade import AccidentGrade, accident_grade

__all__ = ["AccidentGrade", "accident_grade"]
