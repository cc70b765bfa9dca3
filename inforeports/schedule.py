"""The headings of an SEN information report: what Schedule 1 to the Special Educational Needs
and Disability Regulations 2014 (regulation 51) says every report must contain, in plain
English for the parents who read it. Each heading keeps the paragraph of Schedule 1 it
answers, so the Head of SEND can check the template against the law."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Heading:
    key: str
    title: str
    schedule: str  # the paragraph of Schedule 1 it answers
    guidance: str  # what to write, shown to whoever writes it
    # The school's figures (pupils with SEN by need and by provision) are shown under it.
    figures: bool = False


HEADINGS: tuple[Heading, ...] = (
    Heading(
        "kinds",
        "The kinds of special educational needs we provide for",
        "1",
        "The four broad areas of need and the needs of the pupils the school has now.",
        figures=True,
    ),
    Heading(
        "identifying",
        "How we find out whether a child has special educational needs",
        "2",
        "How concerns are noticed, who assesses, and how parents are told.",
    ),
    Heading(
        "progress",
        "How we check progress and whether our support is working",
        "3(a) and 3(b)",
        "Assess, plan, do, review: how often, who takes part, how the school judges what works.",
    ),
    Heading(
        "teaching",
        "How we teach and adapt the curriculum and classroom",
        "3(c) and 3(d)",
        "Adaptive teaching, resources and changes to the classroom and the curriculum.",
    ),
    Heading(
        "extra_support",
        "Extra support for learning",
        "3(e)",
        "Interventions and support beyond the classroom, and who gives them.",
    ),
    Heading(
        "activities",
        "Taking part in everything the school offers",
        "3(f)",
        "Trips, clubs, sport and events alongside pupils without special educational needs.",
    ),
    Heading(
        "wellbeing",
        "Support for emotional, mental and social development",
        "3(g)",
        "Pastoral support, mental health, preventing bullying.",
    ),
    Heading(
        "senco",
        "Our SENCO and how to contact them",
        "4",
        "Name, qualification, telephone number and e-mail address.",
    ),
    Heading(
        "staff",
        "Staff training and specialist expertise",
        "5",
        "Training staff have had and how the school brings in specialists.",
    ),
    Heading(
        "equipment",
        "Equipment and facilities",
        "6",
        "How equipment and facilities are provided, and the accessibility plan.",
    ),
    Heading(
        "parents",
        "Working with parents and carers",
        "7",
        "How parents are consulted and involved in their child's education.",
    ),
    Heading(
        "pupils", "Involving pupils in their own education", "8", "How pupils' views are sought and used."
    ),
    Heading(
        "complaints",
        "Complaints about special educational needs provision",
        "9",
        "Who to speak to first and how to make a formal complaint.",
    ),
    Heading(
        "other_services",
        "Working with health, social care and other services",
        "10",
        "Health, social care, local authority support services and voluntary "
        "organisations, and how they support families.",
    ),
    Heading(
        "parent_support",
        "Support services for parents",
        "11",
        "Contact details, including the local SEND information, advice and support "
        "service (section 32 of the Children and Families Act 2014).",
    ),
    Heading(
        "transitions",
        "Moving on: changing school and preparing for adulthood",
        "12",
        "Starting school, moving class or school, and preparing for adult life.",
    ),
    Heading(
        "local_offer",
        "The local authority's local offer",
        "13",
        "Where the local offer is published (its web address).",
    ),
)
BY_KEY = {h.key: h for h in HEADINGS}
KEYS = tuple(h.key for h in HEADINGS)
