package sqlstore

// PlanStatements returns, by name, statements of the store that must read
// an index, for the backends' tests of their query plans. GetSession and
// GetRefreshToken take an ID as $1; the others are described where they are
// declared.
func PlanStatements() map[string]string {
	return map[string]string{
		"GetSession":                      "SELECT " + sessionCols + sessionFrom + " WHERE s.id = $1",
		"DeleteUserSessions":              deleteUserSessions,
		"GetCode":                         getCode,
		"PutCode":                         putCode,
		"GetRefreshToken":                 "SELECT " + tokenCols + tokenFrom + " WHERE t.id = $1",
		"FamilyRevoked":                   familyRevoked,
		"RevokeFamily":                    revokeFamily,
		"RevokeUserTokens":                revokeUserTokens,
		"GetLink":                         getLink,
		"ListUserLinks":                   listUserLinks,
		"GetIdentityProviderByIdentifier": getIDPByIdentifier,
	}
}
