package userpool

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cognate-idp/cognate/internal/model"
)

// MaxCustomAttributes is Cognito's limit on custom attributes per pool.
const MaxCustomAttributes = 50

func ptr[T any](v T) *T { return &v }

func str(typ string, mutable, required bool, minLen, maxLen string) model.SchemaAttributeType {
	return model.SchemaAttributeType{
		Name: "", AttributeDataType: typ, DeveloperOnlyAttribute: ptr(false),
		Mutable: ptr(mutable), Required: ptr(required),
		StringAttributeConstraints: &model.StringAttributeConstraintsType{MinLength: minLen, MaxLength: maxLen},
	}
}

// StandardSchema returns the standard attributes every pool has, as
// DescribeUserPool lists them.
func StandardSchema() []model.SchemaAttributeType {
	std := func(name string) model.SchemaAttributeType {
		a := str("String", true, false, "0", "2048")
		a.Name = name
		return a
	}
	boolean := func(name string) model.SchemaAttributeType {
		return model.SchemaAttributeType{Name: name, AttributeDataType: "Boolean", DeveloperOnlyAttribute: ptr(false), Mutable: ptr(true), Required: ptr(false)}
	}
	sub := str("String", false, true, "1", "2048")
	sub.Name = "sub"
	birthdate := str("String", true, false, "10", "10")
	birthdate.Name = "birthdate"
	updated := model.SchemaAttributeType{
		Name: "updated_at", AttributeDataType: "Number", DeveloperOnlyAttribute: ptr(false), Mutable: ptr(true), Required: ptr(false),
		NumberAttributeConstraints: &model.NumberAttributeConstraintsType{MinValue: "0"},
	}
	return []model.SchemaAttributeType{
		sub, std("name"), std("given_name"), std("family_name"), std("middle_name"), std("nickname"),
		std("preferred_username"), std("profile"), std("picture"), std("website"), std("email"),
		boolean("email_verified"), std("gender"), birthdate, std("zoneinfo"), std("locale"),
		std("phone_number"), boolean("phone_number_verified"), std("address"), updated,
	}
}

// invalid is the InvalidParameterException every settings check returns.
func invalid(format string, args ...any) error {
	return &model.InvalidParameterException{Message: fmt.Sprintf(format, args...)}
}

// applyDefaults fills in Cognito's defaults for settings a request left out.
func applyDefaults(s *model.UserPoolType) {
	if s.Policies == nil {
		s.Policies = &model.UserPoolPolicyType{}
	}
	if s.Policies.PasswordPolicy == nil {
		s.Policies.PasswordPolicy = &model.PasswordPolicyType{
			MinimumLength: ptr(int32(8)), RequireUppercase: ptr(true), RequireLowercase: ptr(true),
			RequireNumbers: ptr(true), RequireSymbols: ptr(true), TemporaryPasswordValidityDays: ptr(int32(7)),
		}
	}
	pp := s.Policies.PasswordPolicy
	for _, b := range []**bool{&pp.RequireUppercase, &pp.RequireLowercase, &pp.RequireNumbers, &pp.RequireSymbols} {
		if *b == nil {
			*b = ptr(false)
		}
	}
	if pp.MinimumLength == nil {
		pp.MinimumLength = ptr(int32(8))
	}
	if pp.TemporaryPasswordValidityDays == nil {
		pp.TemporaryPasswordValidityDays = ptr(int32(7))
	}
	if s.Policies.SignInPolicy == nil {
		s.Policies.SignInPolicy = &model.SignInPolicyType{AllowedFirstAuthFactors: []string{"PASSWORD"}}
	}
	if s.LambdaConfig == nil {
		s.LambdaConfig = &model.LambdaConfigType{}
	}
	if s.MfaConfiguration == "" {
		s.MfaConfiguration = "OFF"
	}
	if s.DeletionProtection == "" {
		s.DeletionProtection = "INACTIVE"
	}
	if s.UserPoolTier == "" {
		s.UserPoolTier = "ESSENTIALS"
	}
	if s.EmailConfiguration == nil {
		s.EmailConfiguration = &model.EmailConfigurationType{}
	}
	if s.EmailConfiguration.EmailSendingAccount == "" {
		s.EmailConfiguration.EmailSendingAccount = "COGNITO_DEFAULT"
	}
	if s.AdminCreateUserConfig == nil {
		s.AdminCreateUserConfig = &model.AdminCreateUserConfigType{}
	}
	if s.AdminCreateUserConfig.AllowAdminCreateUserOnly == nil {
		s.AdminCreateUserConfig.AllowAdminCreateUserOnly = ptr(false)
	}
	if s.AdminCreateUserConfig.UnusedAccountValidityDays == nil {
		s.AdminCreateUserConfig.UnusedAccountValidityDays = pp.TemporaryPasswordValidityDays
	}
	if s.VerificationMessageTemplate == nil {
		s.VerificationMessageTemplate = &model.VerificationMessageTemplateType{}
	}
	vt := s.VerificationMessageTemplate
	if vt.DefaultEmailOption == "" {
		vt.DefaultEmailOption = "CONFIRM_WITH_CODE"
	}
	if vt.EmailMessage == "" {
		vt.EmailMessage = s.EmailVerificationMessage
	}
	if vt.EmailSubject == "" {
		vt.EmailSubject = s.EmailVerificationSubject
	}
	if vt.SmsMessage == "" {
		vt.SmsMessage = s.SmsVerificationMessage
	}
	// The legacy members show the template, as Cognito's do.
	if s.EmailVerificationMessage == "" {
		s.EmailVerificationMessage = vt.EmailMessage
	}
	if s.EmailVerificationSubject == "" {
		s.EmailVerificationSubject = vt.EmailSubject
	}
	if s.SmsVerificationMessage == "" {
		s.SmsVerificationMessage = vt.SmsMessage
	}
}

// copyMembers copies every member src has into dst by their JSON names: the
// request shapes of CreateUserPool and UpdateUserPool name their settings
// exactly as UserPoolType does.
func copyMembers(dst *model.UserPoolType, src any) error {
	b, err := json.Marshal(src)
	if err != nil {
		return fmt.Errorf("copy settings: %w", err)
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return fmt.Errorf("copy settings: %w", err)
	}
	return nil
}

// NewSettings builds a new pool's settings from a CreateUserPool request,
// with Cognito's defaults and checks.
func NewSettings(req *model.CreateUserPoolRequest) (*model.UserPoolType, error) {
	s := &model.UserPoolType{}
	in := *req
	in.Schema = nil
	if err := copyMembers(s, &in); err != nil {
		return nil, err
	}
	if len(s.UsernameAttributes) > 0 && len(s.AliasAttributes) > 0 {
		return nil, invalid("Only one of aliasAttributes or usernameAttributes can be set in a User Pool.")
	}
	if err := checkUnique("usernameAttributes", s.UsernameAttributes); err != nil {
		return nil, err
	}
	if err := checkUnique("aliasAttributes", s.AliasAttributes); err != nil {
		return nil, err
	}
	schema := StandardSchema()
	for _, a := range req.Schema {
		var err error
		if schema, err = addSchemaAttribute(schema, a, true); err != nil {
			return nil, err
		}
	}
	s.SchemaAttributes = schema
	if err := checkSettings(s); err != nil {
		return nil, err
	}
	if err := checkCreateMFA(s); err != nil {
		return nil, err
	}
	applyDefaults(s)
	return s, nil
}

// UpdateSettings applies an UpdateUserPool request: as Cognito documents,
// every updatable setting the request leaves out returns to its default,
// while the schema, the username and alias attributes, the username
// configuration, the domains and the tags (when not given) are kept.
func UpdateSettings(old *model.UserPoolType, req *model.UpdateUserPoolRequest) (*model.UserPoolType, error) {
	s := &model.UserPoolType{}
	in := *req
	in.UserPoolId, in.PoolName = "", ""
	if err := copyMembers(s, &in); err != nil {
		return nil, err
	}
	s.SchemaAttributes = old.SchemaAttributes
	s.UsernameAttributes = old.UsernameAttributes
	s.AliasAttributes = old.AliasAttributes
	s.UsernameConfiguration = old.UsernameConfiguration
	s.Domain, s.CustomDomain = old.Domain, old.CustomDomain
	if req.UserPoolTags == nil {
		s.UserPoolTags = old.UserPoolTags
	}
	if req.UserPoolTier == "" {
		s.UserPoolTier = old.UserPoolTier
	}
	if err := checkSettings(s); err != nil {
		return nil, err
	}
	applyDefaults(s)
	return s, nil
}

func checkUnique(what string, list []string) error {
	seen := map[string]bool{}
	for _, x := range list {
		if seen[x] {
			return invalid("Duplicate value %s in %s.", x, what)
		}
		seen[x] = true
	}
	return nil
}

// checkSettings applies the cross-member rules Cognito enforces on pool
// settings.
func checkSettings(s *model.UserPoolType) error {
	if err := checkUnique("autoVerifiedAttributes", s.AutoVerifiedAttributes); err != nil {
		return err
	}
	if pp := policy(s); pp != nil {
		if pp.MinimumLength != nil && (*pp.MinimumLength < 6 || *pp.MinimumLength > 99) {
			return invalid("Password policy MinimumLength must be between 6 and 99.")
		}
	}
	if err := checkTierFeatures(s); err != nil {
		return err
	}
	if s.AdminCreateUserConfig != nil && s.AdminCreateUserConfig.UnusedAccountValidityDays != nil &&
		policy(s) != nil && policy(s).TemporaryPasswordValidityDays != nil &&
		*s.AdminCreateUserConfig.UnusedAccountValidityDays != *policy(s).TemporaryPasswordValidityDays {
		return invalid("Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays")
	}
	if vt := s.VerificationMessageTemplate; vt != nil {
		if vt.EmailMessage != "" && !strings.Contains(vt.EmailMessage, "{####}") {
			return invalid("The email message must contain a {####} placeholder.")
		}
		if vt.SmsMessage != "" && !strings.Contains(vt.SmsMessage, "{####}") {
			return invalid("The SMS message must contain a {####} placeholder.")
		}
	}
	return nil
}

func policy(s *model.UserPoolType) *model.PasswordPolicyType {
	if s.Policies == nil {
		return nil
	}
	return s.Policies.PasswordPolicy
}

// CustomAttributeCount returns how many custom attributes a schema holds.
func CustomAttributeCount(schema []model.SchemaAttributeType) int {
	n := 0
	for _, a := range schema {
		if strings.HasPrefix(a.Name, "custom:") || strings.HasPrefix(a.Name, "dev:custom:") {
			n++
		}
	}
	return n
}

// AddCustomAttributes returns schema with the custom attributes added, as
// AddCustomAttributes does.
func AddCustomAttributes(schema []model.SchemaAttributeType, attrs []model.SchemaAttributeType) ([]model.SchemaAttributeType, error) {
	out := slices.Clone(schema)
	for _, a := range attrs {
		if isStandard(a.Name) {
			return nil, invalid("Existing attribute with the same name found: %s.", a.Name)
		}
		var err error
		if out, err = addSchemaAttribute(out, a, false); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func isStandard(name string) bool {
	for _, a := range StandardSchema() {
		if a.Name == name {
			return true
		}
	}
	return false
}

// addSchemaAttribute adds one schema entry of a request: at creation a
// standard attribute's entry sets its Required and Mutable flags and may
// narrow its constraints; any other name is a custom attribute, stored as
// custom:NAME (dev:custom:NAME when developer-only). The messages are the
// ones reported from Cognito (docs/fidelity.md).
func addSchemaAttribute(schema []model.SchemaAttributeType, a model.SchemaAttributeType, creating bool) ([]model.SchemaAttributeType, error) {
	if a.Name == "" {
		return nil, invalid("Attribute name is required.")
	}
	if creating && isStandard(a.Name) {
		return setStandard(schema, a)
	}
	name := strings.TrimPrefix(a.Name, "custom:")
	if len(name) > 20 || name == "" {
		return nil, invalid("Custom attribute name %s must be between 1 and 20 characters.", name)
	}
	if a.AttributeDataType == "" {
		return nil, invalid("Invalid AttributeDataType input, consider using the provided AttributeDataType enum.")
	}
	full := "custom:" + name
	if a.DeveloperOnlyAttribute != nil && *a.DeveloperOnlyAttribute {
		full = "dev:custom:" + name
	}
	for _, x := range schema {
		if x.Name == "custom:"+name || x.Name == "dev:custom:"+name {
			return nil, invalid("Existing attribute with the same name found: %s.", full)
		}
	}
	if a.Required != nil && *a.Required {
		return nil, invalid("Required custom attributes are not supported currently.")
	}
	if CustomAttributeCount(schema) >= MaxCustomAttributes {
		return nil, &model.LimitExceededException{Message: fmt.Sprintf("A user pool can have no more than %d custom attributes.", MaxCustomAttributes)}
	}
	c := model.SchemaAttributeType{
		Name: full, AttributeDataType: a.AttributeDataType, DeveloperOnlyAttribute: ptr(a.DeveloperOnlyAttribute != nil && *a.DeveloperOnlyAttribute),
		Mutable: ptr(a.Mutable == nil || *a.Mutable), Required: ptr(false),
	}
	switch a.AttributeDataType {
	case "String":
		sc := model.StringAttributeConstraintsType{}
		if a.StringAttributeConstraints != nil {
			sc = *a.StringAttributeConstraints
		}
		if err := checkStringConstraints(full, sc); err != nil {
			return nil, err
		}
		c.StringAttributeConstraints = &sc
	case "Number":
		nc := model.NumberAttributeConstraintsType{}
		if a.NumberAttributeConstraints != nil {
			nc = *a.NumberAttributeConstraints
		}
		if err := checkNumberConstraints(full, nc); err != nil {
			return nil, err
		}
		c.NumberAttributeConstraints = &nc
	}
	return append(schema, c), nil
}

// setStandard applies a CreateUserPool schema entry for a standard
// attribute: its type cannot change and it cannot be developer-only; it may
// become required or immutable, and a String or Number attribute's
// constraints may be given, checked as a custom attribute's are.
func setStandard(schema []model.SchemaAttributeType, a model.SchemaAttributeType) ([]model.SchemaAttributeType, error) {
	i := slices.IndexFunc(schema, func(x model.SchemaAttributeType) bool { return x.Name == a.Name })
	cur := &schema[i]
	if (a.AttributeDataType != "" && a.AttributeDataType != cur.AttributeDataType) || (a.DeveloperOnlyAttribute != nil && *a.DeveloperOnlyAttribute) {
		return nil, invalid("You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute %s", a.Name)
	}
	if a.Name == "sub" {
		return nil, invalid("Attribute sub cannot be modified.")
	}
	if a.Required != nil {
		cur.Required = a.Required
	}
	if a.Mutable != nil {
		cur.Mutable = a.Mutable
	}
	switch {
	case cur.AttributeDataType == "String" && a.StringAttributeConstraints != nil:
		c := *cur.StringAttributeConstraints
		if a.StringAttributeConstraints.MinLength != "" {
			c.MinLength = a.StringAttributeConstraints.MinLength
		}
		if a.StringAttributeConstraints.MaxLength != "" {
			c.MaxLength = a.StringAttributeConstraints.MaxLength
		}
		if err := checkStringConstraints(a.Name, c); err != nil {
			return nil, err
		}
		cur.StringAttributeConstraints = &c
	case cur.AttributeDataType == "Number" && a.NumberAttributeConstraints != nil:
		c := *cur.NumberAttributeConstraints
		if a.NumberAttributeConstraints.MinValue != "" {
			c.MinValue = a.NumberAttributeConstraints.MinValue
		}
		if a.NumberAttributeConstraints.MaxValue != "" {
			c.MaxValue = a.NumberAttributeConstraints.MaxValue
		}
		if err := checkNumberConstraints(a.Name, c); err != nil {
			return nil, err
		}
		cur.NumberAttributeConstraints = &c
	}
	return schema, nil
}

// MaxStringAttributeLength is the longest a String attribute may be.
const MaxStringAttributeLength = 2048

// checkStringConstraints checks a String attribute's length constraints:
// whole numbers from 0 to MaxStringAttributeLength, the minimum not above
// the maximum.
func checkStringConstraints(name string, c model.StringAttributeConstraintsType) error {
	lo, hi, err := limits(name, "StringAttributeConstraints", c.MinLength, c.MaxLength)
	if err != nil {
		return err
	}
	if (lo != nil && *lo > MaxStringAttributeLength) || (hi != nil && *hi > MaxStringAttributeLength) {
		return invalid("user.%s: String attributes cannot have a length of more than %d", name, MaxStringAttributeLength)
	}
	if lo != nil && hi != nil && *lo > *hi {
		return invalid("user.%s: Max length cannot be less than min length.", name)
	}
	return nil
}

// checkNumberConstraints checks a Number attribute's value constraints:
// whole numbers not below 0, the minimum not above the maximum.
func checkNumberConstraints(name string, c model.NumberAttributeConstraintsType) error {
	lo, hi, err := limits(name, "NumberAttributeConstraints", c.MinValue, c.MaxValue)
	if err != nil {
		return err
	}
	if lo != nil && hi != nil && *lo > *hi {
		return invalid("user.%s: Max value cannot be less than min value.", name)
	}
	return nil
}

// limits parses a constraint pair given as decimal strings, either of which
// may be empty (nil); anything but a whole number not below 0 is refused.
func limits(name, what, lo, hi string) (*int64, *int64, error) {
	parse := func(v string) (*int64, error) {
		if v == "" {
			return nil, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return nil, invalid("Invalid %s for schema attribute %s", what, name)
		}
		return &n, nil
	}
	l, err := parse(lo)
	if err != nil {
		return nil, nil, err
	}
	h, err := parse(hi)
	return l, h, err
}
