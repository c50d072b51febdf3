import pathlib

from setuptools import find_packages, setup

here = pathlib.Path(__file__).parent.resolve()
long_description = (here / "README.md").read_text(encoding="utf-8")

setup(
    name="hubspot-communication-preferences",
    version="2026.3.0",
    description="A client library for accessing HubSpot Communication Preferences",
    long_description=long_description,
    long_description_content_type="text/markdown",
    packages=find_packages(),
    python_requires=">=3.11, <4",
    install_requires=["httpx >= 0.23.1, < 0.29.0", "attrs >= 22.2.0", "httpx-retries >= 0.6.0, < 0.7"],
    package_data={"hubspot_communication_preferences": ["py.typed"]},
)
