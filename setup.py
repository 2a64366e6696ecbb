"""Build step that pyproject.toml cannot declare: ship the top-level ``templates/`` inside the
package (as ``lecturehub/templates``), in the wheel and, through MANIFEST.in, in the sdist.

Everything else about the build is declared in pyproject.toml. An editable install copies
nothing: ``create_app`` then finds the templates in the checkout.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

TEMPLATES = Path(__file__).resolve().parent / "templates"


class BuildPyWithTemplates(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "lecturehub" / "templates"
        for source in sorted(p for p in TEMPLATES.rglob("*") if p.is_file()):
            destination = target / source.relative_to(TEMPLATES)
            self.mkpath(str(destination.parent))
            self.copy_file(str(source), str(destination))


setup(cmdclass={"build_py": BuildPyWithTemplates})
