from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import access, selectors


@login_required
def home(request):
    groups = selectors.visible_trusts_with_schools(request.user)
    return render(
        request,
        "trusts/home.html",
        {
            "groups": groups,
            "school_count": sum(len(g.schools) for g in groups),
            "roles": selectors.roles_description(request.user),
        },
    )


@login_required
def school_detail(request, laestab: str):
    school = access.get_school_for_user(request.user, laestab)
    return render(
        request,
        "trusts/school_detail.html",
        {"school": school, "links": selectors.school_links_for(request.user, school)},
    )
