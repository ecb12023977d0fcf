"""The stage kinds before review, run by the rounds and applications apps: the call
(information_release: 信息发布/宣传发动), the application (申报) and the recommending units' step
(unit_recommendation: 推荐单位推荐报送). They add no review state: the applications app's states
(draft … recommended) are theirs. Their settings are what the call page and the round show."""
from __future__ import annotations

from typing import Literal

from .base import StageSettings


class InformationRelease(StageSettings):
    kind: Literal["information_release"]

    def describe(self) -> list[str]:
        return (["通过" + "、".join(self.channels) + "发布"] if self.channels else []) + \
            ([f"一般于每年{self.month}月开展"] if self.month else [])


class Application(StageSettings):
    kind: Literal["application"]


class UnitRecommendation(StageSettings):
    kind: Literal["unit_recommendation"]


SETTINGS = (InformationRelease, Application, UnitRecommendation)
