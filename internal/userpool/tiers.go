package userpool

import (
	"fmt"
	"slices"

	"github.com/cognate-idp/cognate/internal/model"
)

// tierRank orders the feature plans; each includes the features of those
// before it.
var tierRank = map[string]int{
	model.UserPoolTierTypeLite:       0,
	model.UserPoolTierTypeEssentials: 1,
	model.UserPoolTierTypePlus:       2,
}

// Tier returns a pool's feature plan: ESSENTIALS, Cognito's default, when
// the settings name none.
func Tier(s *model.UserPoolType) string {
	if s.UserPoolTier == "" {
		return model.UserPoolTierTypeEssentials
	}
	return s.UserPoolTier
}

// RequireTier returns the FeatureUnavailableInTierException Cognito gives
// for a feature (named for the message) that the feature plan tier lacks,
// or nil when tier is min or a higher plan.
func RequireTier(tier, min, feature string) error {
	if tierRank[tier] >= tierRank[min] {
		return nil
	}
	plans := "the Essentials or Plus feature plan"
	if min == model.UserPoolTierTypePlus {
		plans = "the Plus feature plan"
	}
	return &model.FeatureUnavailableInTierException{Message: fmt.Sprintf("%s is not available in the %s feature plan of this user pool; it requires %s.", feature, tier, plans)}
}

// checkTierFeatures applies the feature plans to the settings that
// CreateUserPool and UpdateUserPool set: password history, passwordless
// first factors and access token customization need Essentials or Plus,
// and threat protection needs Plus.
func checkTierFeatures(s *model.UserPoolType) error {
	tier := Tier(s)
	if pp := policy(s); pp != nil && pp.PasswordHistorySize != nil && *pp.PasswordHistorySize > 0 {
		if err := RequireTier(tier, model.UserPoolTierTypeEssentials, "Password history"); err != nil {
			return err
		}
	}
	if s.Policies != nil && s.Policies.SignInPolicy != nil {
		if slices.ContainsFunc(s.Policies.SignInPolicy.AllowedFirstAuthFactors, func(f string) bool { return f != model.AuthFactorTypePassword }) {
			if err := RequireTier(tier, model.UserPoolTierTypeEssentials, "Passwordless sign-in (AllowedFirstAuthFactors other than PASSWORD)"); err != nil {
				return err
			}
		}
	}
	if lc := s.LambdaConfig; lc != nil && lc.PreTokenGenerationConfig != nil {
		if v := lc.PreTokenGenerationConfig.LambdaVersion; v == model.PreTokenGenerationLambdaVersionTypeV20 || v == model.PreTokenGenerationLambdaVersionTypeV30 {
			if err := RequireTier(tier, model.UserPoolTierTypeEssentials, "Access token customization (a "+v+" pre token generation trigger)"); err != nil {
				return err
			}
		}
	}
	if ThreatProtection(s) {
		if err := RequireTier(tier, model.UserPoolTierTypePlus, "Threat protection (UserPoolAddOns)"); err != nil {
			return err
		}
	}
	return nil
}

// ThreatProtection reports whether threat protection (advanced security) is
// active, in audit or enforced mode, for standard or custom authentication.
func ThreatProtection(s *model.UserPoolType) bool {
	ao := s.UserPoolAddOns
	if ao == nil {
		return false
	}
	if ao.AdvancedSecurityMode == model.AdvancedSecurityModeTypeAudit || ao.AdvancedSecurityMode == model.AdvancedSecurityModeTypeEnforced {
		return true
	}
	return ao.AdvancedSecurityAdditionalFlows != nil && ao.AdvancedSecurityAdditionalFlows.CustomAuthMode != "" &&
		ao.AdvancedSecurityAdditionalFlows.CustomAuthMode != model.AdvancedSecurityModeTypeOff
}
